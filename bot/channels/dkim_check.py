"""DKIM signatures (RFC 6376) verified on an incoming message's bytes, with dkimpy: the
signer's public key is looked up in DNS (`<selector>._domainkey.<domain>` TXT), so this is a
channel. `dns` is the lookup, injectable: the tests serve their own key, never the network."""

from __future__ import annotations

import logging
from collections.abc import Callable

import dkim

log = logging.getLogger(__name__)

MAX_SIGNATURES = 5  # a message signed more often than this is not verified further
DnsLookup = Callable[..., bytes | None]  # (name: bytes, timeout=…) -> the TXT record


class DkimChecker:
    def __init__(self, dns: DnsLookup | None = None, timeout: float = 5):
        self.dns = dns
        self.timeout = timeout

    def domains(self, raw: bytes) -> frozenset[str]:
        """The `d=` domains of the signatures that verify (each must cover `From:`: dkimpy
        refuses one that does not). Anything malformed verifies nothing."""
        count = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0].lower().count(b"dkim-signature:")
        found: set[str] = set()
        for index in range(min(count, MAX_SIGNATURES)):
            verifier = dkim.DKIM(raw, timeout=int(self.timeout))
            try:
                ok = (
                    verifier.verify(idx=index, dnsfunc=self.dns)
                    if self.dns is not None
                    else verifier.verify(idx=index)
                )
            except Exception as exc:  # a hostile signature is no signature, never a crash
                log.info("DKIM signature %s not verified: %s", index, type(exc).__name__)
                continue
            if ok and verifier.domain:
                found.add(verifier.domain.decode("ascii", errors="replace").lower())
        return frozenset(found)
