"""What `relance run` checks before it touches the database: every missing or suspicious
setting at once, so whoever deploys fixes `.env` in one pass instead of one error per start.

Missing credentials stop the start; settings that run but would surprise a team (no digest
channel, nobody allowed to decide, the demo company's bank details) are warnings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError

from bot.channels.transport import transport_problem
from bot.config import Settings


@dataclass(frozen=True)
class Finding:
    setting: str
    message: str
    fatal: bool


_DEMO = Settings()


def _fatal(setting: str, message: str) -> Finding:
    return Finding(setting, message, fatal=True)


def _warn(setting: str, message: str) -> Finding:
    return Finding(setting, message, fatal=False)


def _credentials(settings: Settings, http: bool) -> list[Finding]:
    found = []
    if not settings.slack_bot_token:
        found.append(_fatal("SLACK_BOT_TOKEN", "is not set (the bot token, xoxb-…)"))
    elif not settings.slack_bot_token.startswith("xoxb-"):
        found.append(_fatal("SLACK_BOT_TOKEN", "does not start with xoxb- (a bot token)"))
    if http:
        if not settings.slack_signing_secret:
            found.append(
                _fatal("SLACK_SIGNING_SECRET", "is not set: HTTP mode cannot verify requests")
            )
    elif not settings.slack_app_token:
        found.append(_fatal("SLACK_APP_TOKEN", "is not set (Socket Mode needs an xapp- token)"))
    elif not settings.slack_app_token.startswith("xapp-"):
        found.append(_fatal("SLACK_APP_TOKEN", "does not start with xapp- (an app-level token)"))
    return found


def _values(settings: Settings) -> list[Finding]:
    found = []
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", settings.digest_time):
        found.append(_fatal("RELANCE_DIGEST_TIME", f"{settings.digest_time!r} is not HH:MM"))
    try:
        ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        found.append(_fatal("RELANCE_TIMEZONE", f"{settings.timezone!r} is not an IANA time zone"))
    try:
        Locale.parse(settings.locale)
    except (UnknownLocaleError, ValueError):
        found.append(_fatal("RELANCE_LOCALE", f"{settings.locale!r} is not a known locale"))
    return found + transport_findings(settings)


def transport_findings(settings: Settings) -> list[Finding]:
    """Unknown `*_SECURITY` values, and clear text to a server that is not this machine (the
    reply mailbox only when it is read)."""
    found = []
    checked = [("SMTP_SECURITY", settings.smtp_security, settings.smtp_host)]
    if settings.imap_host:
        checked.append(("IMAP_SECURITY", settings.imap_security, settings.imap_host))
    for setting, security, host in checked:
        problem = transport_problem(setting, security, host)
        if problem:
            found.append(_fatal(setting, problem))
    return found


def _team(settings: Settings) -> list[Finding]:
    found = []
    if not settings.digest_channel:
        found.append(_warn("RELANCE_DIGEST_CHANNEL", "is not set: no digest will be posted"))
    if not (settings.approvers or settings.approver_groups or settings.leads):
        found.append(
            _warn(
                "RELANCE_APPROVERS",
                "nobody may decide (no approvers, approver groups or leads): every click is refused",
            )
        )
    if settings.imap_host and not settings.mail_token_secret:
        found.append(
            _warn(
                "RELANCE_MAIL_SECRET",
                "is not set (nor RELANCE_PAGE_SECRET): no reply or bounce can be tied to the "
                "reminder it answers",
            )
        )
    if settings.mail_from == _DEMO.mail_from:
        found.append(_warn("MAIL_FROM", f"is the default {_DEMO.mail_from!r}"))
    if settings.smtp_host in ("localhost", "127.0.0.1") and not settings.test_mode_address:
        found.append(_warn("SMTP_HOST", f"is {settings.smtp_host}: is a mail server running here?"))
    for setting, attribute in (
        ("RELANCE_COMPANY_NAME", "company_name"),
        ("RELANCE_CONTACT_EMAIL", "contact_email"),
    ):
        if getattr(settings, attribute) == getattr(_DEMO, attribute):
            found.append(_warn(setting, "still has the demo value: customers would see it"))
    if settings.bank_accounts_file is None:
        found.append(
            _warn("RELANCE_BANK_ACCOUNTS_FILE", "is not set: customers would see the demo accounts")
        )
    return found


def check_run(settings: Settings, http: bool) -> list[Finding]:
    """Every problem with the settings `relance run` would start with, fatal ones first."""
    found = _credentials(settings, http) + _values(settings) + _team(settings)
    return sorted(found, key=lambda f: not f.fatal)
