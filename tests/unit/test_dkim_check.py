"""DKIM verification (bot/channels/dkim_check.py) against a message nobody here signed: RFC 8463
Appendix A.3, "a small message with both RSA-SHA256 and Ed25519-SHA256 DKIM signatures"
(tests/fixtures/mail/rfc8463-signed.eml, verbatim), its key records from Appendix A.2 served by
an injected lookup — never the network. (The Ed25519 signature needs PyNaCl, which dkimpy
treats as optional: the RSA one proves the domain here.)"""

from __future__ import annotations

from pathlib import Path

from bot.channels.dkim_check import DkimChecker

MESSAGE = (Path(__file__).parents[1] / "fixtures" / "mail" / "rfc8463-signed.eml").read_bytes()
RSA_RECORD = (  # RFC 8463 Appendix A.2, the strings of the TXT record joined
    b"v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWR"
    b"iGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutAC"
    b"DfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3"
    b"Ip3G+2kryOTIKT+l/K4w3QIDAQAB"
)
ED25519_RECORD = b"v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
ZONE = {
    b"test._domainkey.football.example.com.": RSA_RECORD,
    b"brisbane._domainkey.football.example.com.": ED25519_RECORD,
}


def _checker(zone: dict[bytes, bytes]) -> DkimChecker:
    def lookup(name: bytes, timeout: float = 5) -> bytes | None:
        return zone.get(name)

    return DkimChecker(dns=lookup)


def test_the_rfc_8463_example_verifies_as_its_domain() -> None:
    assert _checker(ZONE).domains(MESSAGE) == {"football.example.com"}


def test_a_changed_body_or_sender_or_a_missing_key_verifies_nothing() -> None:
    checker = _checker(ZONE)
    assert checker.domains(MESSAGE.replace(b"We lost the game", b"We won the game")) == set()
    assert checker.domains(MESSAGE.replace(b"joe@football", b"ceo@football")) == set()
    assert _checker({}).domains(MESSAGE) == set()
    assert checker.domains(b"From: a@b.example\r\n\r\nno signature") == set()
    assert checker.domains(b"DKIM-Signature: v=1; garbage\r\n\r\nx") == set()
