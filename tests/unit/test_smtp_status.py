"""Final or worth retrying, by RFC 3463 enhanced status codes (issue 25, finding 10). The
replies are those RFC 3463 §3 describes and that common servers send (Postfix's `552 5.2.2
Mailbox full`, Exchange's `550 5.1.1 RESOLVER.ADR.RecipNotFound`)."""

from __future__ import annotations

from bot.domain.smtp_status import enhanced_code, is_permanent


def test_the_enhanced_code_is_read_from_the_reply_text() -> None:
    assert enhanced_code("5.2.2 Mailbox full") == (5, 2, 2)
    assert enhanced_code("  4.7.1 Greylisted") == (4, 7, 1)
    assert enhanced_code("Mailbox full") is None
    assert enhanced_code("5.2.2.1 nonsense") is None


def test_a_full_mailbox_is_worth_retrying_an_unknown_one_is_not() -> None:
    assert not is_permanent(552, "5.2.2 Mailbox full", at_rcpt=True)
    assert not is_permanent(452, "4.2.2 Mailbox full")
    assert not is_permanent(552, "5.3.1 Mail system full")
    assert not is_permanent(451, "4.4.5 Mail system congestion")
    assert is_permanent(550, "5.1.1 RESOLVER.ADR.RecipNotFound; not found", at_rcpt=True)
    assert is_permanent(552, "5.3.4 Message too big for system")
    assert is_permanent(554, "5.7.1 Relay access denied")
    assert not is_permanent(450, "4.2.1 Mailbox busy")


def test_without_an_enhanced_code_the_basic_code_decides() -> None:
    assert is_permanent(550, "No such user")
    assert not is_permanent(451, "Try again later")
    assert not is_permanent(552, "Too many recipients", at_rcpt=True)  # RFC 5321 §4.5.3.1.10
    assert is_permanent(552, "Message size exceeds fixed limit")  # after DATA
