"""What `relance run` and `relance check` check before anything touches the database: every
missing or suspicious setting at once, so whoever deploys fixes `.env` in one pass instead of
one error per start.

Missing credentials, the `.env.example` placeholders, a policy or template the app would refuse
at start-up (`policy_refusals`, the same function `build_runtime` runs) stop the start; settings
that run but would surprise a team (no digest channel, nobody allowed to decide, the demo
company's bank details) are warnings.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from stdnum.fr import siren

from bot.channels.transport import transport_problem
from bot.config import Settings, load_disclosures, load_policy, load_segments
from bot.domain.policy import Policy, PolicyError
from bot.failures import Failure
from bot.rate_files import load_law_book, load_rates
from bot.rendering.check import TemplateCheckFailed, syntax_problems, template_problems


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


#: The example values `.env.example` ships with (tests/integration/test_check_is_start_up.py keeps them in
#: step): copied unchanged, they would start an app that fails on its first call.
PLACEHOLDERS = {
    "SLACK_BOT_TOKEN": ("slack_bot_token", ("xoxb-...",)),
    "SLACK_APP_TOKEN": ("slack_app_token", ("xapp-...",)),
    "SLACK_SIGNING_SECRET": ("slack_signing_secret", ("...",)),
    "SMTP_PASSWORD": ("smtp_password", ("...",)),
    "IMAP_PASSWORD": ("imap_password", ("...",)),
    "RELANCE_DIGEST_CHANNEL": ("digest_channel", ("C0123456789",)),
    "RELANCE_APPROVERS": ("approvers", ("U0123456789", "U0987654321")),
    "RELANCE_APPROVER_GROUPS": ("approver_groups", ("S0123456789",)),
    "RELANCE_LEADS": ("leads", ("U0123456789",)),
}


def _placeholders(settings: Settings) -> list[Finding]:
    found = []
    for setting, (attribute, examples) in PLACEHOLDERS.items():
        value = getattr(settings, attribute)
        values = value if isinstance(value, tuple) else (value,)
        copied = [v for v in values if v in examples]
        if copied:
            found.append(
                _fatal(
                    setting,
                    f"still has the .env.example placeholder {', '.join(copied)}: "
                    "put your own value (docs/deployment.md says where to find it)",
                )
            )
    return found


def _credentials_not_placeholders(settings: Settings, http: bool) -> list[Finding]:
    named = {f.setting for f in _placeholders(settings)}
    return [f for f in _credentials(settings, http) if f.setting not in named]


def policy_refusals(
    settings: Settings, policies: Iterable[Policy]
) -> list[tuple[str, PolicyError | TemplateCheckFailed]]:
    """What start-up refuses in the policies it would run with (the main one and every
    segment's), with the setting to look at: a hand-off that opens before the final notice's
    deadline, a stage without its templates, a template that does not compile. `build_runtime`
    raises the first; `relance run` and `relance check` list them all."""
    refusals: list[tuple[str, PolicyError | TemplateCheckFailed]] = []
    syntax = syntax_problems(settings.templates_dir)
    if syntax:
        refusals.append(("RELANCE_TEMPLATES_DIR", TemplateCheckFailed(syntax)))
    for policy in policies:
        try:
            policy.check_final_notice_deadline(settings.final_notice_days)
        except PolicyError as exc:
            refusals.append(("RELANCE_FINAL_NOTICE_DAYS", exc))
        problems = template_problems(policy, settings.templates_dir)
        if problems:
            refusals.append(("RELANCE_TEMPLATES_DIR", TemplateCheckFailed(problems)))
    return refusals


def _explained(setting: str, exc: Exception) -> Finding:
    line = str(refusal(exc) or exc).strip().splitlines()[0]
    return _fatal(setting, line.removeprefix(f"{setting}: "))


def _configuration(settings: Settings) -> list[Finding]:
    """The policy, its segments, the rate tables and laws, and the templates, loaded and checked
    as start-up does."""
    loaders: list[tuple[str, Callable[[], object]]] = [
        ("RELANCE_RATES_FILE", lambda: load_law_book(load_rates(settings))),
        ("RELANCE_POLICY_FILE", lambda: load_policy(settings.policy_file)),
    ]
    found = []
    for setting, load in loaders:
        try:
            load()
        except (Failure, PolicyError, ValueError, KeyError) as exc:
            found.append(_explained(setting, exc))
    if found:
        return found
    try:
        segments = load_segments(settings.policy_file)
    except (Failure, PolicyError) as exc:
        return [_explained("RELANCE_POLICY_FILE", exc)]
    policies = (load_policy(settings.policy_file), *segments.policies.values())
    return [
        _explained(setting, refusal) for setting, refusal in policy_refusals(settings, policies)
    ]


def _letters(settings: Settings) -> list[Finding]:
    return [
        _warn(setting, f"names {path}, which is missing: final-notice letters cannot be written")
        for setting, path in (
            ("RELANCE_LETTER_FONT", settings.letter_font),
            ("RELANCE_LETTER_BOLD_FONT", settings.letter_bold_font),
        )
        if not path.is_file()
    ]


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
    if settings.attachments_max_bytes < 0:
        found.append(_fatal("RELANCE_ATTACHMENTS_MAX_BYTES", "is below zero"))
    if settings.documents_dir is not None and not settings.documents_dir.is_dir():
        found.append(
            _warn(
                "RELANCE_DOCUMENTS_DIR",
                f"{str(settings.documents_dir)!r} is not a folder: no invoice copy can be sent",
            )
        )
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


def _identity(settings: Settings) -> list[Finding]:
    """What the company's country requires its correspondence to show, and bank accounts held
    by another entity with nothing to tell the customer why."""
    found = []
    identity = settings.identity
    rule = load_disclosures().get(settings.country.upper())
    for name in rule.missing(identity) if rule else []:
        found.append(
            _warn(
                f"RELANCE_COMPANY_{name.upper()}",
                f"is empty: business correspondence in {settings.country} must show it "
                f"({rule.source if rule else ''})",
            )
        )
    if (
        settings.country.upper() == "FR"
        and identity.registration
        and not siren.is_valid(identity.registration)
    ):
        found.append(
            _warn("RELANCE_COMPANY_REGISTRATION", "is not a valid SIREN (nine digits, Luhn key)")
        )
    if settings.company_logo is not None and not settings.company_logo.is_file():
        found.append(_warn("RELANCE_COMPANY_LOGO", f"{settings.company_logo} is not a file"))
    for currency, account in sorted(settings.bank_accounts.items()):
        if account.holder not in (identity.legal_name, settings.company_name) and not (
            account.holder_notes
        ):
            found.append(
                _warn(
                    "RELANCE_BANK_ACCOUNTS_FILE",
                    f"[{currency}] is held by {account.holder}, not {identity.legal_name}: "
                    "add a holder_note telling customers why",
                )
            )
    return found


def check_configuration(settings: Settings) -> list[Finding]:
    """Everything start-up checks except the Slack credentials: `relance check` (a `--slack`
    option adds the workspace's own checks to this list), fatal ones first."""
    found = (
        _placeholders(settings)
        + _values(settings)
        + _configuration(settings)
        + _letters(settings)
        + _team(settings)
        + _identity(settings)
    )
    return sorted(found, key=lambda f: not f.fatal)


def check_run(settings: Settings, http: bool) -> list[Finding]:
    """Every problem with the settings `relance run` would start with, fatal ones first."""
    found = _credentials_not_placeholders(settings, http) + check_configuration(settings)
    return sorted(found, key=lambda f: not f.fatal)


def refusal(exc: Exception) -> Failure | None:
    """The start-up refusals (a policy, its templates) as a `Failure`: `relance check`,
    `relance run` and every other command word them alike."""
    if isinstance(exc, Failure):
        return exc
    if isinstance(exc, PolicyError):
        return Failure(
            f"the policy is refused ({str(exc).strip().splitlines()[0]})",
            "correct the policy file (RELANCE_POLICY_FILE) or the setting it names, "
            "then `relance check`",
        )
    if isinstance(exc, TemplateCheckFailed):
        return Failure(
            f"the templates do not match the policy ({'; '.join(exc.problems)})",
            "add or correct the files in RELANCE_TEMPLATES_DIR, then `relance check`",
        )
    return None
