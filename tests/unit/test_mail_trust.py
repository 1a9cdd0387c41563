"""Reply tokens and the receiving server's verdict (domain/mail_trust.py). The
Authentication-Results headers below are RFC 8601's own examples (Appendix B), unchanged but
for line folding."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from bot.channels.email import Email, build_message, message_id, reply_address
from bot.config import Settings
from bot.domain.inbound import Inbound, read_message
from bot.domain.mail_trust import (
    aligned,
    authenticated_domains,
    reminder_of,
    reply_token,
    token_key,
)

KEY = token_key("a secret")

# RFC 8601, Appendix B.3 to B.7
B3 = "example.com; spf=pass smtp.mailfrom=example.net"
B4 = [
    "example.com; auth=pass (cram-md5) smtp.auth=sender@example.net; "
    "spf=pass smtp.mailfrom=example.net",
    "example.com; iprev=pass policy.iprev=192.0.2.200",
]
B5 = [
    "example.com; dkim=pass (good signature) header.d=example.com",
    "example.com; auth=pass (cram-md5) smtp.auth=sender@example.com; "
    "spf=fail smtp.mailfrom=example.com",
]
B6 = [
    'example.com; dkim=pass reason="good signature" header.i=@mail-router.example.net; '
    'dkim=fail reason="bad signature" header.i=@newyork.example.com',
    "example.net; dkim=pass (good signature) header.i=@newyork.example.com",
]
B7 = (
    "foo.example.net (foobar) 1 (baz); dkim (Because I like it) / 1 (One yay) = (wait for it) "
    "fail policy (A dot can go here) . (like that) expired (this surprised me) = (as I wasn't "
    "expecting it) 1362471462"
)


def test_a_token_verifies_only_under_its_key_and_unaltered() -> None:
    token = reply_token(42, KEY)
    assert token == reply_token(42, KEY)  # the same Message-ID for every resend
    assert reminder_of(token, KEY) == 42 and reminder_of(token.upper(), KEY) == 42
    assert reminder_of(token, token_key("another secret")) is None
    assert reminder_of(f"43.{token.partition('.')[2]}", KEY) is None  # another reminder's id
    assert reminder_of(token[:-1] + ("a" if token[-1] != "a" else "b"), KEY) is None
    assert reminder_of("42", KEY) is None and reminder_of(token, b"") is None
    assert token_key("") == b""


def test_the_receiving_server_s_verdict_per_rfc_8601_examples() -> None:
    trusted = ["example.com"]
    assert authenticated_domains([B3], trusted) == {"example.net"}
    assert authenticated_domains(B4, trusted) == {"example.net"}
    assert authenticated_domains(B5, trusted) == {"example.com"}
    assert authenticated_domains(B6, trusted) == {"mail-router.example.net"}  # not newyork's
    assert authenticated_domains(B6, ["example.net"]) == {"newyork.example.com"}
    assert authenticated_domains([B7], ["foo.example.net"]) == frozenset()  # a fail
    assert authenticated_domains([B3], ["mx.other.example"]) == frozenset()  # not trusted
    assert authenticated_domains(["example.org 1; none"], ["example.org"]) == frozenset()


def test_a_domain_vouches_for_itself_and_below_never_above() -> None:
    assert aligned("a@example.com", {"example.com"})
    assert aligned("a@mail.example.com", {"example.com"})
    assert not aligned("a@example.com", {"mail.example.com"})
    assert not aligned("a@badexample.com", {"example.com"})


def test_the_message_id_and_reply_address_carry_the_token() -> None:
    settings = Settings(mail_from="Relance <ar@relance.example>", mail_token_secret="a secret")
    email = Email(
        to="jean@atelier.example",
        subject="Invoice",
        text="Hello",
        html="",
        message_id=message_id(7, settings),
        language="en",
        reply_to=reply_address(7, replace(settings, reply_plus_address=True)),
    )
    sent = build_message(email, settings)
    assert sent["Message-ID"] == f"<relance-reminder-{reply_token(7, KEY)}@relance.example>"
    assert sent["Reply-To"] == f"Relance <ar+{reply_token(7, KEY)}@relance.example>"
    assert reply_address(7, settings) == ""  # plus-addressing off: the configured Reply-To
    answer = read_message(
        f"From: jean@atelier.example\r\nTo: {sent['Reply-To']}\r\n"
        f"In-Reply-To: {sent['Message-ID']}\r\n\r\nOK".encode(),
        today=date(2026, 1, 1),
    )
    assert isinstance(answer, Inbound)
    assert sent["Message-ID"] in answer.references
    assert f"ar+{reply_token(7, KEY)}@relance.example" in answer.recipients
