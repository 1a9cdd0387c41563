"""Settings from the environment, with a `.env` file read first (python-dotenv).

Everything a deployment changes lives here, with a default that runs out of the box:
SQLite in the working directory, no Slack credentials needed until `relance run`.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dotenv import load_dotenv

from bot.domain.bank import BankAccount, accounts_from_dict
from bot.domain.company import CompanyIdentity, Disclosure, disclosures_from_dict
from bot.domain.msgid import phrase
from bot.domain.owners import Match
from bot.domain.policy import Policy, PolicyError
from bot.domain.segments import SegmentRule, Segments
from bot.failures import Failure

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _number(name: str, default: float, kind: type[int] | type[float]) -> Any:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        return kind(value)
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise Failure(
            f"{name}={value!r} is not {what}", f"set it to {what} (default {default})"
        ) from None


def _int(name: str, default: int) -> int:
    return int(_number(name, default, int))


def _float(name: str, default: float) -> float:
    return float(_number(name, default, float))


def read_toml(path: Path, setting: str) -> dict[str, Any]:
    """A data file's contents, or a refusal naming the setting that points at it."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise Failure(
            f"{setting}: cannot read {path} ({exc.strerror})",
            "correct the path, or leave the setting out for the bundled file",
        ) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise Failure(
            f"{setting}: {path} is not valid TOML ({exc})", "correct the file, then `relance check`"
        ) from None


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite:///relance.sqlite"
    # The tables' owner, for migrations (PostgreSQL: the app's own role may not alter them)
    migration_database_url: str = ""  # empty: DATABASE_URL
    timezone: str = "Europe/Paris"
    country: str = "FR"  # the company's own: its business days decide when the digest runs
    locale: str = "en_GB"
    # the package's copy of templates/ (a link to it in the source tree): installed apps have it
    templates_dir: Path = Path(__file__).resolve().parent / "templates"
    policy_file: Path | None = None
    rates_file: Path | None = None
    # `relance rates update` writes here; read over the bundled (or RELANCE_RATES_FILE) tables
    fetched_rates_file: Path = Path("relance-rates.toml")
    rates_ecb_url: str = "https://data-api.ecb.europa.eu/service"
    rates_boe_url: str = "https://www.bankofengland.co.uk"
    rates_bundesbank_url: str = "https://api.statistiken.bundesbank.de/rest"
    # Who the reminders come from, and how customers pay
    company_name: str = "Relance Demo SAS"
    contact_name: str = "Camille Laurent"
    contact_email: str = "ar@relance-demo.example"
    contact_phone: str = "+33 1 84 00 00 00"
    final_notice_days: int = 8
    company_address: str = "12 avenue de l'Opéra\n75001 Paris\nFrance"
    company_place: str = "Paris"  # the town a letter is written from ("Paris, le …")
    letter_font: Path = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    letter_bold_font: Path = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
    # The company's legal identity, shown at the foot of e-mails, letters and the page
    # (bot/company_disclosures.toml says which fields its country requires)
    company_legal_name: str = ""  # empty: company_name
    company_legal_form: str = "SAS"
    company_registration: str = "912 345 675"
    company_registry: str = "RCS Paris"
    company_capital: str = "10 000 €"
    company_registered_office: str = "12 avenue de l'Opéra, 75001 Paris"
    company_vat: str = "FR65912345675"
    company_logo: Path | None = None  # a PNG or JPEG shown on the page and the letters
    # Who signs the final-notice letter (empty: the contact), and whether it goes registered
    signatory_name: str = ""
    signatory_title: str = ""
    letter_registered: bool = True  # French practice sends a mise en demeure recommandée
    # Slack
    slack_bot_token: str = ""
    slack_app_token: str = ""
    slack_signing_secret: str = ""
    slack_api_url: str = "https://slack.com/api/"
    digest_channel: str = ""
    digest_time: str = "09:00"
    approvers: tuple[str, ...] = field(default_factory=tuple)
    approver_groups: tuple[str, ...] = field(default_factory=tuple)
    leads: tuple[str, ...] = field(default_factory=tuple)  # finance leads: beyond the limits
    # E-mail
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_security: str = "none"  # none | starttls | ssl
    mail_from: str = "Relance <relance@localhost>"
    reply_to: str = ""
    bcc_archive: str = ""
    test_mode_address: str = ""  # when set, every e-mail goes there instead (going live)
    send_max_attempts: int = 5
    send_backoff_seconds: float = 60.0  # doubled after each failed attempt
    # Where customers pay: one account per currency (RELANCE_BANK_ACCOUNTS_FILE)
    bank_accounts_file: Path | None = None
    bank_accounts: dict[str, BankAccount] = field(default_factory=lambda: load_bank_accounts())
    digest_page_size: int = 20  # cards at most in the digest's thread per morning
    viewers: tuple[str, ...] = field(default_factory=tuple)  # read-only: users (U…) or groups (S…)
    # The customer's page (bot/web): off while the secret or the public address is unset
    page_secret: str = ""
    public_url: str = ""  # where customers reach the page, e.g. https://pay.example.com
    page_link_days: int = 60
    page_port: int = 3001  # the page's own server in Socket Mode
    page_host: str = "127.0.0.1"  # where it listens: loopback, behind the HTTPS proxy
    health_port: int = 0  # Socket Mode without the page: /healthz, /readyz, /metrics here (0: off)
    # The reply mailbox (IMAP): empty host = not read
    imap_host: str = ""
    imap_port: int = 993
    imap_security: str = "ssl"  # ssl | starttls | none (loopback only)
    imap_user: str = ""
    imap_password: str = ""
    imap_folder: str = "INBOX"
    imap_done_folder: str = "Relance/Handled"
    imap_ca_file: Path | None = None  # trust this CA (a company's own) besides the system's
    imap_poll_seconds: float = 60.0
    # Which inbound mail counts (bot/domain/mail_trust.py): the reply tokens' secret
    # (RELANCE_MAIL_SECRET, else the page's secret; a label keeps the two keys apart), answers to
    # reply+<token>@ (MAIL_REPLY_PLUS), the receiving servers whose Authentication-Results count
    mail_token_secret: str = ""
    reply_plus_address: bool = False
    mail_authserv_ids: tuple[str, ...] = field(default_factory=tuple)
    send_lease_seconds: float = 300.0  # a sender's claim on a message, renewed before each send
    recovery_seconds: float = (
        60.0  # an acknowledged click's work, before another instance redoes it
    )
    # Copies: the folder the ledger's invoice PDF paths are read under (None: no files read),
    # and how many bytes of them one e-mail attaches (the rest go as links)
    documents_dir: Path | None = None
    attachments_max_bytes: int = 5_000_000

    @property
    def identity(self) -> CompanyIdentity:
        return CompanyIdentity(
            self.company_legal_name or self.company_name,
            self.company_legal_form,
            self.company_registration,
            self.company_registry,
            self.company_capital,
            self.company_registered_office,
            self.company_vat,
        )


def load_settings(env_file: str | os.PathLike[str] | None = ".env") -> Settings:
    """Read settings; real environment variables win over the `.env` file."""
    if env_file is not None:
        load_dotenv(env_file, override=False)
    return Settings(**_storage(), **_company(), **_slack(), **_mail(), **_page_and_inbox())


def _storage() -> dict[str, Any]:
    """Where the data lives: the database, the templates, policy and rate files, the documents."""
    env = os.environ.get
    policy = env("RELANCE_POLICY_FILE")
    rates = env("RELANCE_RATES_FILE")
    return dict(
        database_url=env("DATABASE_URL", Settings.database_url),
        migration_database_url=env("MIGRATION_DATABASE_URL", ""),
        timezone=env("RELANCE_TIMEZONE", Settings.timezone),
        country=env("RELANCE_COUNTRY", Settings.country),
        locale=env("RELANCE_LOCALE", Settings.locale),
        templates_dir=Path(env("RELANCE_TEMPLATES_DIR", str(Settings.templates_dir))),
        policy_file=Path(policy) if policy else None,
        rates_file=Path(rates) if rates else None,
        fetched_rates_file=Path(
            env("RELANCE_FETCHED_RATES_FILE", str(Settings.fetched_rates_file))
        ),
        rates_ecb_url=env("RELANCE_RATES_ECB_URL", Settings.rates_ecb_url),
        rates_boe_url=env("RELANCE_RATES_BOE_URL", Settings.rates_boe_url),
        rates_bundesbank_url=env("RELANCE_RATES_BUNDESBANK_URL", Settings.rates_bundesbank_url),
        documents_dir=Path(docs) if (docs := env("RELANCE_DOCUMENTS_DIR")) else None,
        attachments_max_bytes=_int("RELANCE_ATTACHMENTS_MAX_BYTES", Settings.attachments_max_bytes),
    )


def _company() -> dict[str, Any]:
    """Who writes: the company, its legal identity, the signatory and the letter."""
    env = os.environ.get
    return dict(
        company_name=env("RELANCE_COMPANY_NAME", Settings.company_name),
        contact_name=env("RELANCE_CONTACT_NAME", Settings.contact_name),
        contact_email=env("RELANCE_CONTACT_EMAIL", Settings.contact_email),
        contact_phone=env("RELANCE_CONTACT_PHONE", Settings.contact_phone),
        company_address=env("RELANCE_COMPANY_ADDRESS", Settings.company_address).replace(
            "\\n", "\n"
        ),
        company_place=env("RELANCE_COMPANY_PLACE", Settings.company_place),
        company_legal_name=env("RELANCE_COMPANY_LEGAL_NAME", ""),
        company_legal_form=env("RELANCE_COMPANY_LEGAL_FORM", Settings.company_legal_form),
        company_registration=env("RELANCE_COMPANY_REGISTRATION", Settings.company_registration),
        company_registry=env("RELANCE_COMPANY_REGISTRY", Settings.company_registry),
        company_capital=env("RELANCE_COMPANY_CAPITAL", Settings.company_capital),
        company_registered_office=env(
            "RELANCE_COMPANY_REGISTERED_OFFICE", Settings.company_registered_office
        ),
        company_vat=env("RELANCE_COMPANY_VAT", Settings.company_vat),
        company_logo=Path(logo) if (logo := env("RELANCE_COMPANY_LOGO")) else None,
        signatory_name=env("RELANCE_SIGNATORY_NAME", ""),
        signatory_title=env("RELANCE_SIGNATORY_TITLE", ""),
        letter_registered=env("RELANCE_LETTER_REGISTERED", "1").strip().lower()
        not in ("0", "false", "no", "off"),
        letter_font=Path(env("RELANCE_LETTER_FONT", str(Settings.letter_font))),
        letter_bold_font=Path(env("RELANCE_LETTER_BOLD_FONT", str(Settings.letter_bold_font))),
        final_notice_days=_int("RELANCE_FINAL_NOTICE_DAYS", Settings.final_notice_days),
    )


def _slack() -> dict[str, Any]:
    """Slack: the credentials, the digest, and who may decide or look."""
    env = os.environ.get
    return dict(
        slack_bot_token=env("SLACK_BOT_TOKEN", ""),
        slack_app_token=env("SLACK_APP_TOKEN", ""),
        slack_signing_secret=env("SLACK_SIGNING_SECRET", ""),
        slack_api_url=env("SLACK_API_URL", Settings.slack_api_url),
        digest_channel=env("RELANCE_DIGEST_CHANNEL", ""),
        digest_time=env("RELANCE_DIGEST_TIME", Settings.digest_time),
        approvers=_split(env("RELANCE_APPROVERS", "")),
        approver_groups=_split(env("RELANCE_APPROVER_GROUPS", "")),
        leads=_split(env("RELANCE_LEADS", "")),
        digest_page_size=_int("RELANCE_DIGEST_PAGE_SIZE", Settings.digest_page_size),
        viewers=_split(env("RELANCE_VIEWERS", "")),
    )


def _mail() -> dict[str, Any]:
    """Sending: the SMTP server, the addresses, the retries, the bank accounts on reminders."""
    env = os.environ.get
    bank_file = Path(bank) if (bank := env("RELANCE_BANK_ACCOUNTS_FILE")) else None
    return dict(
        smtp_host=env("SMTP_HOST", Settings.smtp_host),
        smtp_port=_int("SMTP_PORT", Settings.smtp_port),
        smtp_user=env("SMTP_USER", ""),
        smtp_password=env("SMTP_PASSWORD", ""),
        smtp_security=env("SMTP_SECURITY", Settings.smtp_security),
        mail_from=env("MAIL_FROM", Settings.mail_from),
        reply_to=env("MAIL_REPLY_TO", ""),
        bcc_archive=env("MAIL_BCC_ARCHIVE", ""),
        test_mode_address=env("RELANCE_TEST_MODE_ADDRESS", ""),
        send_max_attempts=_int("RELANCE_SEND_MAX_ATTEMPTS", Settings.send_max_attempts),
        send_backoff_seconds=_float("RELANCE_SEND_BACKOFF_SECONDS", Settings.send_backoff_seconds),
        bank_accounts_file=bank_file,
        bank_accounts=load_bank_accounts(bank_file),
        send_lease_seconds=_float("RELANCE_SEND_LEASE_SECONDS", Settings.send_lease_seconds),
        recovery_seconds=_float("RELANCE_RECOVERY_SECONDS", Settings.recovery_seconds),
    )


def _page_and_inbox() -> dict[str, Any]:
    """The customer page and the reply mailbox (IMAP)."""
    env = os.environ.get
    return dict(
        page_secret=env("RELANCE_PAGE_SECRET", ""),
        public_url=env("RELANCE_PUBLIC_URL", "").rstrip("/"),
        page_link_days=_int("RELANCE_PAGE_LINK_DAYS", Settings.page_link_days),
        page_port=_int("RELANCE_PAGE_PORT", Settings.page_port),
        health_port=_int("RELANCE_HEALTH_PORT", Settings.health_port),
        page_host=env("RELANCE_PAGE_HOST", Settings.page_host),
        imap_host=env("IMAP_HOST", ""),
        imap_port=_int("IMAP_PORT", Settings.imap_port),
        imap_security=env("IMAP_SECURITY", Settings.imap_security),
        imap_user=env("IMAP_USER", ""),
        imap_password=env("IMAP_PASSWORD", ""),
        imap_folder=env("IMAP_FOLDER", Settings.imap_folder),
        imap_done_folder=env("IMAP_DONE_FOLDER", Settings.imap_done_folder),
        imap_ca_file=Path(env("IMAP_CA_FILE", "")) if env("IMAP_CA_FILE") else None,
        imap_poll_seconds=_float("IMAP_POLL_SECONDS", Settings.imap_poll_seconds),
        mail_token_secret=env("RELANCE_MAIL_SECRET", "") or env("RELANCE_PAGE_SECRET", ""),
        reply_plus_address=env("MAIL_REPLY_PLUS", "").lower() in ("1", "true", "yes", "on"),
        mail_authserv_ids=_split(env("MAIL_AUTHSERV_IDS", "")),
    )


def load_policy(path: Path | None = None) -> Policy:
    """The escalation policy from TOML: the file given, else the bundled default."""
    source = path or Path(__file__).resolve().parent / "policy.toml"
    return Policy.from_dict(read_toml(source, "RELANCE_POLICY_FILE"))


def load_segments(path: Path | None = None) -> Segments:
    """The other policies the main policy file names under `[[segments]]`, each from its own
    file (relative to the main one) and laid over the main policy, with the rules that choose
    them."""
    source = path or Path(__file__).resolve().parent / "policy.toml"
    entries = read_toml(source, "RELANCE_POLICY_FILE").get("segments", [])
    try:
        sources = {
            str(e["name"]): tomllib.loads((source.parent / str(e["policy"])).read_text("utf-8"))
            for e in entries
        }
        rules = tuple(
            SegmentRule(str(e["name"]), Match.from_dict(e))
            for e in entries
            if any(key in e for key in ("country", "currency", "min_amount", "max_amount"))
        )
        return Segments.over(load_policy(path), sources, rules)
    except (KeyError, ValueError, OSError, tomllib.TOMLDecodeError) as exc:
        raise PolicyError(
            phrase("invalid segments in {file}: {error}", file=source.name, error=str(exc))
        ) from exc


def load_bank_accounts(path: Path | None = None) -> dict[str, BankAccount]:
    """Bank accounts by currency: the file given, else the bundled demo accounts."""
    source = path or Path(__file__).resolve().parent / "bank_accounts.toml"
    return accounts_from_dict(read_toml(source, "RELANCE_BANK_ACCOUNTS_FILE"))


def load_disclosures(path: Path | None = None) -> dict[str, Disclosure]:
    """What each country requires a company's correspondence to show (the bundled file)."""
    source = path or Path(__file__).resolve().parent / "company_disclosures.toml"
    return disclosures_from_dict(tomllib.loads(source.read_text(encoding="utf-8")))
