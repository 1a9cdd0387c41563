"""The reply mailbox over IMAP: list what waits, read one message without marking it, move it
to the done folder once handled (never deleted). IMAPS, STARTTLS, or plain for loopback.

A message is known by (mailbox, UIDVALIDITY, UID): the server promises a UID is never reused
while UIDVALIDITY stays the same, which makes the database's record of it exact.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass

from imapclient import IMAPClient

from bot.channels.transport import require_secure
from bot.config import Settings


@dataclass(frozen=True)
class Waiting:
    mailbox: str  # user@host/folder: the key of the folder, whatever instance reads it
    uidvalidity: int
    uids: tuple[int, ...]


class Mailbox:
    """One connection, the inbox folder selected read-write."""

    def __init__(self, client: IMAPClient, settings: Settings):
        self.client = client
        self.folder = settings.imap_folder
        self.done_folder = settings.imap_done_folder
        self.key = f"{settings.imap_user}@{settings.imap_host}/{settings.imap_folder}"
        self._done_ready = False

    def waiting(self) -> Waiting:
        status = self.client.select_folder(self.folder)
        uids = sorted(int(uid) for uid in self.client.search(["NOT", "DELETED"]))
        return Waiting(self.key, int(status[b"UIDVALIDITY"]), tuple(uids))

    def read(self, uids: list[int]) -> dict[int, bytes]:
        """The messages' bytes in one round trip (BODY.PEEK: no \\Seen flag set); those gone
        meanwhile (moved by another instance) are missing from the answer."""
        try:
            fetched = self.client.fetch(uids, ["BODY.PEEK[]"])
        except IMAPClient.Error as exc:
            if "EXPUNGEISSUED" not in str(exc):
                raise
            if len(uids) == 1:
                return {}
            # RFC 5530: some were expunged meanwhile by another instance: the others one by one
            return {uid: body for one in uids for uid, body in self.read([one]).items()}
        return {
            uid: bytes(data[b"BODY[]"])
            for uid, data in fetched.items()
            if data.get(b"BODY[]") is not None  # NIL: expunged by another instance
        }

    def _ensure_done_folder(self) -> None:
        """Once per connection: the done folder in the server's own hierarchy ("a/b" is "a.b"
        on some servers), created if missing."""
        if self._done_ready:
            return
        if "/" in self.done_folder:
            listed = self.client.list_folders("", "")
            delimiter = listed[0][1] if listed and listed[0][1] else b"/"
            self.done_folder = self.done_folder.replace("/", delimiter.decode())
        if not self.client.folder_exists(self.done_folder):
            try:
                self.client.create_folder(self.done_folder)
            except IMAPClient.Error:
                if not self.client.folder_exists(self.done_folder):  # another instance won
                    raise
        self._done_ready = True

    def move_done(self, uids: list[int]) -> None:
        """Out of the inbox into the done folder; a message already moved is no error."""
        self._ensure_done_folder()
        if self.client.has_capability("MOVE"):
            try:
                self.client.move(uids, self.done_folder)
            except IMAPClient.Error as exc:
                if "EXPUNGEISSUED" not in str(exc):  # RFC 5530: another instance moved it
                    raise
        else:  # RFC 3501 only: copy, then remove the original from the inbox alone
            self.client.copy(uids, self.done_folder)
            self.client.delete_messages(uids)
            self.client.uid_expunge(uids)


@contextmanager
def connect(settings: Settings, timeout: float = 60) -> Iterator[Mailbox]:
    security = settings.imap_security
    require_secure("IMAP_SECURITY", security, settings.imap_host)  # before the password leaves
    context = ssl.create_default_context(
        cafile=str(settings.imap_ca_file) if settings.imap_ca_file else None
    )
    client = IMAPClient(
        settings.imap_host,
        port=settings.imap_port,
        ssl=security == "ssl",
        ssl_context=context if security == "ssl" else None,
        timeout=timeout,
    )
    try:
        if security == "starttls":
            client.starttls(context)
        client.login(settings.imap_user, settings.imap_password)
    except BaseException:
        with suppress(IMAPClient.Error, OSError):
            client.shutdown()
        raise
    try:
        yield Mailbox(client, settings)
    finally:
        try:
            client.logout()
        except (IMAPClient.Error, OSError):
            with suppress(IMAPClient.Error, OSError):
                client.shutdown()
