"""Whether a mail server's refusal is final, read from its enhanced status code (RFC 3463,
`class.subject.detail`, e.g. `5.2.2`) before its basic reply code (RFC 5321).

- class 4 is transient, class 5 permanent — except the details RFC 3463 says are, or may be,
  persistent transient conditions: X.2.2 mailbox full ("useful for both permanent and
  persistent transient errors"), X.3.1 mail system full and X.4.5 mail system congestion
  ("useful only as a persistent transient error"). A full mailbox empties: worth retrying,
  within the outbox's retry budget.
- no enhanced code: the basic code decides (5xx permanent), but a 552 answering RCPT is
  "too many recipients" or storage, which RFC 5321 §4.5.3.1.10 tells clients to treat as the
  temporary 452.
"""

from __future__ import annotations

import re

_ENHANCED = re.compile(r"^\s*([245])\.(\d{1,3})\.(\d{1,3})(?!\S)")
TRANSIENT_DETAILS = frozenset({(2, 2), (3, 1), (4, 5)})  # (subject, detail), RFC 3463 §3


def enhanced_code(text: str) -> tuple[int, int, int] | None:
    """The enhanced status code that starts a reply's text, if any."""
    found = _ENHANCED.match(text)
    if found is None:
        return None
    klass, subject, detail = (int(part) for part in found.groups())
    return klass, subject, detail


def is_permanent(code: int, text: str, *, at_rcpt: bool = False) -> bool:
    """Whether retrying this refusal cannot help."""
    enhanced = enhanced_code(text)
    if enhanced is not None:
        klass, subject, detail = enhanced
        return klass == 5 and (subject, detail) not in TRANSIENT_DETAILS
    if at_rcpt and code == 552:
        return False
    return 500 <= code < 600
