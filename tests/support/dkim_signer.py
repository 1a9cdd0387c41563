"""The suite's own DKIM signer: an RSA key made by openssl for the session, messages signed by
dkimpy the way a customer's mail server signs what leaves it, and a resolver serving the public
key record (RFC 6376 §3.6.1: `v=DKIM1; k=rsa; p=…`) from memory — never the network."""

from __future__ import annotations

import base64
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, replace
from email.message import EmailMessage
from functools import cache

import dkim

from bot.channels.dkim_check import DkimChecker
from bot.config import Settings
from bot.services.inbox.mailbox import Listening

SELECTOR = b"relance-test"
SIGNED = [b"from", b"to", b"subject", b"date", b"message-id", b"in-reply-to", b"references"]


@dataclass(frozen=True)
class DkimKey:
    private_pem: bytes
    public_der: bytes

    def sign(self, raw: bytes, domain: str) -> bytes:
        """The message with a DKIM-Signature of `domain` on top (relaxed/relaxed)."""
        raw = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        signature = dkim.sign(
            raw,
            SELECTOR,
            domain.encode(),
            self.private_pem,
            canonicalize=(b"relaxed", b"relaxed"),
            include_headers=SIGNED,
        )
        return signature + raw

    def checker(self, domains: Iterable[str]) -> DkimChecker:
        """A DKIM checker whose DNS knows this key for `domains` only."""
        record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(self.public_der)
        records = {SELECTOR + b"._domainkey." + d.encode() + b".": record for d in domains}

        def lookup(name: bytes, timeout: float = 5) -> bytes | None:
            return records.get(name)

        return DkimChecker(dns=lookup)


@cache
def suite_key() -> DkimKey:
    """One 2048-bit key per test process (openssl genrsa, PKCS#1 as dkimpy reads it)."""
    private = subprocess.run(
        ["openssl", "genrsa", "-traditional", "2048"], check=True, capture_output=True
    ).stdout
    public = subprocess.run(
        ["openssl", "rsa", "-pubout", "-outform", "DER"],
        input=private,
        check=True,
        capture_output=True,
    ).stdout
    return DkimKey(private, public)


SAMPLE_DOMAINS = ("atelier.example", "brasserie.example")  # the sample customers' domains


def signed(message: EmailMessage, domain: str = "atelier.example") -> bytes:
    """The message as the customer's mail server sends it: DKIM-signed by their domain."""
    return suite_key().sign(message.as_bytes(), domain)


def trusting(settings: Settings, domains: Iterable[str] = SAMPLE_DOMAINS) -> Listening:
    """The app's trust for `settings`, the suite's key published for `domains`."""
    return replace(Listening.of(settings), dkim=suite_key().checker(domains))
