"""What makes an incoming e-mail more than a stranger's claim.

Anyone can write `In-Reply-To: <…>`, an invoice number or a customer's address in `From:`. So:

- **Reply tokens.** Each reminder's Message-ID and reply address carry an HMAC of its id keyed
  by a secret (`reply_token`): a reply or a delivery report is tied to a reminder only when the
  token verifies (`reminder_of`); a guessed id or an altered token matches nothing.
- **Authentication.** The receiving server's verdict (RFC 8601 `Authentication-Results`), read
  only from the servers the company names (`authenticated_domains`): anyone can add that header,
  so the topmost one bearing a trusted authserv-id is the only one read — RFC 8601 §5 has the
  receiving server remove any the sender wrote with its own id.
- **Alignment.** A domain vouched for counts for a `From:` address at that domain or below it
  (`aligned`, DMARC's relaxed alignment without the public-suffix list: never upwards).

Pure: strings and bytes in, plain values out.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Collection, Iterable

PURPOSE = b"relance/reply-token/v1"  # the key of the tokens is this secret's, for this only
_MAC_BYTES = 10  # 80 bits: no guessing against a mailbox
_TOKEN = re.compile(r"(\d{1,18})\.([a-z2-7]{16})")


def token_key(secret: str) -> bytes:
    """The tokens' own key, derived from a configured secret with a purpose label (the same
    secret signs other things, never with this label). Empty when no secret is set: then no
    token verifies."""
    if not secret:
        return b""
    return hmac.new(secret.encode(), PURPOSE, hashlib.sha256).digest()


def reply_token(reminder_id: int, key: bytes) -> str:
    """`<id>.<mac>`: the same for the same reminder and key (a resend after a crash carries the
    same Message-ID), lower case (mail servers may fold an address's local part)."""
    mac = hmac.new(key, f"reminder:{reminder_id}".encode(), hashlib.sha256).digest()
    return f"{reminder_id}.{base64.b32encode(mac[:_MAC_BYTES]).decode().lower()}"


def reminder_of(token: str, key: bytes) -> int | None:
    """The reminder a token names, when its MAC verifies under `key`; else None."""
    found = _TOKEN.fullmatch(token.lower())
    if not key or found is None:
        return None
    reminder_id = int(found.group(1))
    expected = reply_token(reminder_id, key).partition(".")[2]
    return reminder_id if hmac.compare_digest(expected, found.group(2)) else None


_COMMENT = re.compile(r"\([^()]*\)")
_RESULT = re.compile(  # method [/ version] = result, then its properties
    r"^\s*([a-z0-9-]+)\s*(?:/\s*\d+\s*)?=\s*([a-z]+)\b(.*)$", re.IGNORECASE | re.DOTALL
)
_PROPERTY = re.compile(r"\b([a-z]+)\.([a-z0-9-]+)\s*=\s*(\"[^\"]*\"|[^\s;]+)", re.IGNORECASE)
_PASSING = {  # method: the properties naming the domain that passed
    "dkim": ("header.d", "header.i"),
    "dmarc": ("header.from",),
    "spf": ("smtp.mailfrom",),
}


def _without_comments(value: str) -> str:
    for _ in range(10):  # nested comments, bounded
        stripped = _COMMENT.sub(" ", value)
        if stripped == value:
            break
        value = stripped
    return value


def authenticated_domains(headers: Iterable[str], trusted_ids: Collection[str]) -> frozenset[str]:
    """The domains for which the first `Authentication-Results` header (top down) from a trusted
    authserv-id reports dkim, dmarc or spf `pass`. Headers of other servers are ignored."""
    trusted = {t.lower() for t in trusted_ids}
    for header in headers:
        parts = _without_comments(" ".join(header.split()))[:8000].split(";")
        authserv = parts[0].split()[0].lower() if parts[0].split() else ""
        if authserv not in trusted:
            continue
        domains: set[str] = set()
        for part in parts[1:]:
            found = _RESULT.match(part)
            if found is None or found.group(2).lower() != "pass":
                continue
            wanted = _PASSING.get(found.group(1).lower(), ())
            for ptype, name, value in _PROPERTY.findall(found.group(3)):
                if f"{ptype}.{name}".lower() in wanted:
                    domain = value.strip('"').rpartition("@")[2].lower().rstrip(".")
                    if domain:
                        domains.add(domain)
        return frozenset(domains)
    return frozenset()


def aligned(address: str, domains: Collection[str]) -> bool:
    """Whether `address`'s domain is one of `domains` or below one of them."""
    domain = address.rpartition("@")[2].lower()
    return bool(domain) and any(domain == d or domain.endswith("." + d) for d in domains)
