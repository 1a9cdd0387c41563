"""E-mail over SMTP: multipart text + HTML, the headers an archive and a mail client need, and
errors sorted into those worth retrying and those that are final."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, getaddresses, parseaddr

from bot.config import Settings


class SendFailed(Exception):
    """A send that did not happen. `permanent` when retrying cannot help (5xx, no address)."""

    def __init__(self, message: str, *, permanent: bool):
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str
    message_id: str
    language: str
    attachments: tuple[tuple[str, bytes], ...] = ()  # (file name, PDF)
    approved_by: str = ""  # the person who approved it; empty for what no person approved
    in_reply_to: str = ""  # the customer's Message-ID, when this answers their message


def message_id(reminder_id: int, mail_from: str) -> str:
    """Derived from the reminder, so a resend after a crash carries the same id and mail
    clients and archives can tell it is the same message."""
    domain = parseaddr(mail_from)[1].rpartition("@")[2] or "relance.invalid"
    return f"<relance-reminder-{reminder_id}@{domain}>"


def build_message(email: Email, settings: Settings) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = email.to
    if settings.reply_to:
        message["Reply-To"] = settings.reply_to
    if settings.bcc_archive:
        message["Bcc"] = settings.bcc_archive
    message["Subject"] = email.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = email.message_id
    if email.in_reply_to:
        message["In-Reply-To"] = email.in_reply_to
        message["References"] = email.in_reply_to
    if not email.approved_by:
        # RFC 3834: tells auto-responders not to answer. A message a person approved is that
        # person's letter: its out-of-office and "has left" answers are wanted.
        message["Auto-Submitted"] = "auto-generated"
    message.set_content(email.text)
    if email.html:
        message.add_alternative(email.html, subtype="html")
    for filename, content in email.attachments:
        message.add_attachment(content, maintype="application", subtype="pdf", filename=filename)
    message["Content-Language"] = email.language  # after the body: set_content clears Content-*
    return message


class SmtpSender:
    def __init__(self, settings: Settings, timeout: float = 30):
        self.settings = settings
        self.timeout = timeout

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.smtp_security == "ssl":
            return smtplib.SMTP_SSL(
                s.smtp_host, s.smtp_port, timeout=self.timeout, context=ssl.create_default_context()
            )
        client = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=self.timeout)
        if s.smtp_security == "starttls":
            client.starttls(context=ssl.create_default_context())
        return client

    def send(self, message: EmailMessage) -> None:
        recipients = [
            a for _n, a in getaddresses(message.get_all("To", []) + message.get_all("Bcc", [])) if a
        ]
        try:
            with self._connect() as client:
                if self.settings.smtp_user:
                    client.login(self.settings.smtp_user, self.settings.smtp_password)
                refused = client.send_message(message, to_addrs=recipients)
        except smtplib.SMTPRecipientsRefused as exc:
            raise SendFailed(
                f"recipient refused: {_codes(exc.recipients)}",
                permanent=_all_permanent(exc.recipients),
            ) from exc
        except smtplib.SMTPResponseException as exc:
            raise SendFailed(
                f"SMTP {exc.smtp_code}: {_text(exc.smtp_error)}",
                permanent=500 <= exc.smtp_code < 600,
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise SendFailed(f"mail server unreachable: {exc}", permanent=False) from exc
        to = parseaddr(message["To"])[1]
        if to in refused:
            raise SendFailed(
                f"recipient refused: {_codes({to: refused[to]})}",
                permanent=_all_permanent({to: refused[to]}),
            )


def _text(value: bytes | str) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def _codes(recipients: dict) -> str:
    return "; ".join(f"{a} ({code} {_text(msg)})" for a, (code, msg) in recipients.items())


def _all_permanent(recipients: dict) -> bool:
    return all(500 <= code < 600 for code, _msg in recipients.values())
