"""Settings from the environment, with a `.env` file read first (python-dotenv).

Everything a deployment changes lives here, with a default that runs out of the box:
SQLite in the working directory, no Slack credentials needed until `relance run`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import load_dotenv

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite:///relance.sqlite"
    timezone: str = "Europe/Paris"
    locale: str = "en_GB"
    templates_dir: Path = PROJECT_ROOT / "templates"
    policy_file: Path | None = None
    # Slack
    slack_bot_token: str = ""
    slack_app_token: str = ""
    slack_signing_secret: str = ""
    slack_api_url: str = "https://slack.com/api/"
    digest_channel: str = ""
    digest_time: str = "09:00"
    approvers: tuple[str, ...] = field(default_factory=tuple)
    approver_groups: tuple[str, ...] = field(default_factory=tuple)
    # E-mail
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_security: str = "none"  # none | starttls | ssl
    mail_from: str = "Relance <relance@localhost>"
    reply_to: str = ""
    bcc_archive: str = ""


def load_settings(env_file: str | os.PathLike[str] | None = ".env") -> Settings:
    """Read settings; real environment variables win over the `.env` file."""
    if env_file is not None:
        load_dotenv(env_file, override=False)
    env = os.environ.get
    policy = env("RELANCE_POLICY_FILE")
    return Settings(
        database_url=env("DATABASE_URL", Settings.database_url),
        timezone=env("RELANCE_TIMEZONE", Settings.timezone),
        locale=env("RELANCE_LOCALE", Settings.locale),
        templates_dir=Path(env("RELANCE_TEMPLATES_DIR", str(Settings.templates_dir))),
        policy_file=Path(policy) if policy else None,
        slack_bot_token=env("SLACK_BOT_TOKEN", ""),
        slack_app_token=env("SLACK_APP_TOKEN", ""),
        slack_signing_secret=env("SLACK_SIGNING_SECRET", ""),
        slack_api_url=env("SLACK_API_URL", Settings.slack_api_url),
        digest_channel=env("RELANCE_DIGEST_CHANNEL", ""),
        digest_time=env("RELANCE_DIGEST_TIME", Settings.digest_time),
        approvers=_split(env("RELANCE_APPROVERS", "")),
        approver_groups=_split(env("RELANCE_APPROVER_GROUPS", "")),
        smtp_host=env("SMTP_HOST", Settings.smtp_host),
        smtp_port=int(env("SMTP_PORT", str(Settings.smtp_port))),
        smtp_user=env("SMTP_USER", ""),
        smtp_password=env("SMTP_PASSWORD", ""),
        smtp_security=env("SMTP_SECURITY", Settings.smtp_security),
        mail_from=env("MAIL_FROM", Settings.mail_from),
        reply_to=env("MAIL_REPLY_TO", ""),
        bcc_archive=env("MAIL_BCC_ARCHIVE", ""),
    )
