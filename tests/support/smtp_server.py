"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, and can be told to
defer (4xx), refuse a recipient (5xx, or 552 5.2.2 mailbox full), refuse its greeting (554) or every login (535), answer
slowly, or go down and come back on the same port."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult


@dataclass(frozen=True)
class Received:
    mail_from: str
    recipients: list[str]
    message: EmailMessage


class _Handler:
    def __init__(self, server: SmtpServer):
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, options):  # type: ignore[no-untyped-def]
        if self.server.mode == "refuse":
            return "550 5.1.1 No such mailbox"
        if self.server.mode == "mailbox-full":  # as Postfix relays a full mailbox at RCPT
            return "552 5.2.2 Mailbox full"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        if self.server.delay:
            await asyncio.sleep(self.server.delay)
        if self.server.mode == "defer":
            return "451 4.3.0 Try again later"
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.server.lock:
            self.server.received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), message)
            )
        if self.server.mode == "drop":  # kept the message, then the line went dead
            server.transport.close()
            return "421 4.4.2 Connection dropped"
        return "250 OK"


class _Smtp(SMTP):
    def __init__(self, owner: SmtpServer, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.owner = owner

    async def _handle_client(self) -> None:
        if self.owner.mode == "refuse-greeting":
            await self.push("554 5.3.2 Service not available")
            assert self.transport is not None
            self.transport.close()
            return
        await super()._handle_client()


class _Controller(Controller):
    def __init__(self, owner: SmtpServer, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.owner = owner

    def factory(self) -> SMTP:
        return _Smtp(self.owner, self.handler, **self.SMTP_kwargs)


class SmtpServer:
    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.received: list[Received] = []
        self.lock = threading.Lock()
        # accept | defer | refuse | mailbox-full | refuse-greeting | refuse-login | drop (after keeping it)
        self.mode = "accept"
        self.delay = 0.0  # seconds before answering each message's data
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = _Controller(
            self,
            _Handler(self),
            hostname="127.0.0.1",
            port=self.port,
            auth_require_tls=False,
            authenticator=self._authenticate,
        )
        self.controller.start()

    def _authenticate(self, *_args: object) -> AuthResult:
        return AuthResult(success=self.mode != "refuse-login", handled=False)

    def stop(self) -> None:
        if self.controller:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()
