"""E-mail over SMTP: multipart text + HTML, the headers an archive and a mail client need, and
errors sorted into those worth retrying and those that are final (domain/smtp_status.py: the
enhanced status code first, so a full mailbox is retried)."""

from __future__ import annotations

import re
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, formatdate, getaddresses, parseaddr
from html import escape
from typing import TYPE_CHECKING, Any

from bot.channels.logo import read_logo
from bot.channels.transport import InsecureTransport, require_secure
from bot.config import Settings
from bot.domain.mail_trust import reply_token, token_key
from bot.domain.smtp_status import is_permanent

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

MESSAGE_ID_PREFIX = "relance-reminder-"


class SendFailed(Exception):
    """A send that did not happen. `permanent` when retrying cannot help (5xx, no address).

    `server` when the fault is the mail server's, not this message's (no connection, a refused
    greeting or login, our own sender address refused): every message would fail the same way,
    so the outbox pauses instead of charging the message an attempt.

    `maybe_delivered` when the connection was lost once the message itself had gone out (DATA)
    and before the server answered: it may have kept it, so it may have been sent.
    """

    def __init__(
        self, message: str, *, permanent: bool, server: bool = False, maybe_delivered: bool = False
    ):
        super().__init__(message)
        self.permanent = permanent
        self.server = server
        self.maybe_delivered = maybe_delivered


_LINE_BREAKING = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def one_line(value: str) -> str:
    """A header value on one line: any control character (CR, LF, tab...) becomes a space, so
    text that came from data can never start a header of its own or break the message."""
    return _LINE_BREAKING.sub(" ", value).strip()


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
    reply_to: str = ""  # where answers go (carrying the reminder's token); else the settings'


def message_id(reminder_id: int, settings: Settings) -> str:
    """Derived from the reminder, so a resend after a crash carries the same id and mail
    clients and archives can tell it is the same message; its reply token (an HMAC of the
    reminder's id, domain/mail_trust.py) lets an answer or a bounce be tied to it, and nobody
    else forge one."""
    domain = parseaddr(settings.mail_from)[1].rpartition("@")[2] or "relance.invalid"
    token = reply_token(reminder_id, token_key(settings.mail_token_secret))
    return f"<{MESSAGE_ID_PREFIX}{token}@{domain}>"


def reply_address(reminder_id: int, settings: Settings) -> str:
    """Where the customer's answer goes: the reply address (else the sender) with the
    reminder's token after a `+` (RFC 5233 subaddress), when MAIL_REPLY_PLUS is on; the
    mailbox must deliver `name+anything@` to `name@`."""
    name, address = parseaddr(settings.reply_to or settings.mail_from)
    if not settings.reply_plus_address or "@" not in address:
        return settings.reply_to
    local, _, domain = address.rpartition("@")
    token = reply_token(reminder_id, token_key(settings.mail_token_secret))
    return formataddr((name, f"{local.partition('+')[0]}+{token}@{domain}"))


_BODY_OPEN = re.compile(r"<body\b[^>]*>", re.IGNORECASE)


def with_logo(html: str, cid: str, company: str) -> str | None:
    """The HTML with the logo at the top of its body, named by `cid` (sent beside it in the
    message: nothing is fetched from elsewhere); None when it has no body to put it in."""
    found = _BODY_OPEN.search(html)
    if found is None:
        return None
    image = (
        f'\n<p><img src="cid:{cid}" alt="{escape(company)}" '
        'style="max-height: 60px; max-width: 240px;"></p>'
    )
    return html[: found.end()] + image + html[found.end() :]


def build_message(email: Email, settings: Settings) -> EmailMessage:
    """The message as sent: text, HTML with the company's logo inline when one is configured
    (channels/logo.py), the letter and copies attached."""
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = one_line(email.to)
    if email.reply_to or settings.reply_to:
        message["Reply-To"] = email.reply_to or settings.reply_to
    if settings.bcc_archive:
        message["Bcc"] = settings.bcc_archive
    message["Subject"] = one_line(email.subject)
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
        logo = read_logo(settings.company_logo)
        domain = parseaddr(settings.mail_from)[1].rpartition("@")[2] or "relance.invalid"
        cid = f"logo.{logo.digest[:16]}@{domain}" if logo is not None else ""
        shown = with_logo(email.html, cid, settings.company_name) if logo is not None else None
        message.add_alternative(shown or email.html, subtype="html")
        if shown is not None and logo is not None:
            parts = message.get_payload()
            assert isinstance(parts, list)  # multipart/alternative once the HTML is added
            html_part = parts[-1]
            assert isinstance(html_part, EmailMessage)
            html_part.add_related(
                logo.content,
                maintype="image",
                subtype=logo.kind.mime.partition("/")[2],
                cid=f"<{cid}>",
                disposition="inline",
                filename=f"logo.{logo.kind.extension}",
            )
    for filename, content in email.attachments:
        message.add_attachment(content, maintype="application", subtype="pdf", filename=filename)
    message["Content-Language"] = email.language  # after the body: set_content clears Content-*
    return message


class _Client(smtplib.SMTP):
    """A connection that knows whether a message's data went out: from then on, whatever
    breaks before the server's answer, the server may have kept it."""

    handed_over = False

    def data(self, msg: ReadableBuffer | str) -> tuple[int, bytes]:
        self.handed_over = True
        return super().data(msg)


class _SslClient(_Client, smtplib.SMTP_SSL):
    pass


class SmtpSender:
    def __init__(self, settings: Settings, timeout: float = 30):
        self.settings = settings
        self.timeout = timeout

    def _connect(self) -> _Client:
        s = self.settings
        if s.smtp_security == "ssl":
            return _SslClient(
                s.smtp_host, s.smtp_port, timeout=self.timeout, context=ssl.create_default_context()
            )
        client = _Client(s.smtp_host, s.smtp_port, timeout=self.timeout)
        if s.smtp_security == "starttls":
            client.starttls(context=ssl.create_default_context())
        return client

    def _open(self) -> _Client:
        """A connection past greeting and login; any failure here is the server's."""
        s = self.settings
        try:
            require_secure("SMTP_SECURITY", s.smtp_security, s.smtp_host)
        except InsecureTransport as exc:  # every message would be refused the same way
            raise SendFailed(str(exc), permanent=False, server=True) from exc
        try:
            client = self._connect()
        except smtplib.SMTPResponseException as exc:  # e.g. 554 in the greeting
            raise _server_failure("refused the connection", exc) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise SendFailed(
                f"mail server unreachable: {exc}", permanent=False, server=True
            ) from exc
        try:
            client.ehlo_or_helo_if_needed()
            if self.settings.smtp_user:
                client.login(self.settings.smtp_user, self.settings.smtp_password)
        except smtplib.SMTPResponseException as exc:  # 535 login refused, EHLO refused
            client.close()
            raise _server_failure("refused the login or greeting", exc) from exc
        except (smtplib.SMTPException, OSError) as exc:
            client.close()
            raise SendFailed(f"mail server unusable: {exc}", permanent=False, server=True) from exc
        return client

    def send(self, message: EmailMessage) -> None:
        recipients = [
            a for _n, a in getaddresses(message.get_all("To", []) + message.get_all("Bcc", [])) if a
        ]
        with self._open() as client:
            try:
                refused = client.send_message(message, to_addrs=recipients)
            except smtplib.SMTPRecipientsRefused as exc:
                raise SendFailed(
                    f"recipient refused: {_codes(exc.recipients)}",
                    permanent=_all_permanent(exc.recipients),
                ) from exc
            except smtplib.SMTPSenderRefused as exc:  # our own From: every message would fail
                raise _server_failure("refused the sender address", exc) from exc
            except smtplib.SMTPResponseException as exc:  # this message's data refused
                raise SendFailed(
                    f"SMTP {exc.smtp_code}: {_text(exc.smtp_error)}",
                    permanent=is_permanent(exc.smtp_code, _text(exc.smtp_error)),
                ) from exc
            except (smtplib.SMTPException, OSError) as exc:
                raise SendFailed(
                    f"mail server dropped the connection: {exc}",
                    permanent=False,
                    server=True,
                    maybe_delivered=client.handed_over,
                ) from exc
        to = parseaddr(message["To"])[1]
        if to in refused:
            raise SendFailed(
                f"recipient refused: {_codes({to: refused[to]})}",
                permanent=_all_permanent({to: refused[to]}),
            )


def _server_failure(what: str, exc: smtplib.SMTPResponseException) -> SendFailed:
    return SendFailed(
        f"mail server {what}: SMTP {exc.smtp_code} {_text(exc.smtp_error)}",
        permanent=False,
        server=True,
    )


def _text(value: bytes | str) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def _codes(recipients: dict[str, Any]) -> str:
    return "; ".join(f"{a} ({code} {_text(msg)})" for a, (code, msg) in recipients.items())


def _all_permanent(recipients: dict[str, Any]) -> bool:
    """Refused at RCPT: final only when every refusal is (RFC 3463 codes first)."""
    return all(is_permanent(code, _text(msg), at_rcpt=True) for code, msg in recipients.values())
