"""What reading the mailbox needs from outside: the settings it listens with (addresses, folders,
trust), how a message is authenticated, and the mailbox it reads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.channels.dkim_check import DkimChecker
from bot.channels.imap import Waiting
from bot.config import Settings, load_policy
from bot.domain.inbound import Inbound
from bot.domain.mail_trust import aligned, authenticated_domains, token_key


class Authenticator(Protocol):
    def domains(self, raw: bytes) -> frozenset[str]: ...


@dataclass(frozen=True)
class Listening:
    """What reading the mailbox trusts: the reply tokens' key, the receiving servers whose
    Authentication-Results count, a DKIM checker; and the policy's cap on an out-of-office
    hold."""

    token_key: bytes
    authserv_ids: tuple[str, ...] = ()
    dkim: Authenticator | None = None
    ooo_max_hold_days: int = 14

    @classmethod
    def of(cls, settings: Settings) -> Listening:
        return cls(
            token_key(settings.mail_token_secret),
            settings.mail_authserv_ids,
            DkimChecker(),
            load_policy(settings.policy_file).ooo_max_hold_days,
        )

    def vouched(self, raw: bytes, message: Inbound) -> frozenset[str]:
        """The domains this message is authenticated as coming from."""
        domains = authenticated_domains(message.auth_results, self.authserv_ids)
        if self.dkim is not None and not aligned(message.sender, domains):
            domains |= self.dkim.domains(raw)
        return domains


class MailboxReader(Protocol):
    def waiting(self) -> Waiting: ...
    def read(self, uids: list[int]) -> dict[int, bytes]: ...
    def move_done(self, uids: list[int]) -> None: ...
