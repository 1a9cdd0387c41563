"""What an incoming e-mail is, read from its bytes: who sent it, what it answers, its text, its
attachments, and what kind of message it is — standards first (RFC 3464 delivery status
notifications, RFC 3834 auto-replies), then the usual vendor headers, then wording.

Pure: bytes in, a plain value out; a message that cannot be read is `Unreadable`, never a crash.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from enum import StrEnum

from flufl.bounce import all_failures

from bot.domain.reply_text import html_to_text, return_date, trim_quoted

MAX_TEXT = 200_000  # characters of text kept from one message (the audit event's full text)


class Kind(StrEnum):
    REPLY = "reply"  # a person wrote: posted in the card's thread, the ladder holds
    BOUNCE = "bounce"  # permanent delivery failure (DSN): the address is failing
    DELAY = "delay"  # temporary failure: noted, nothing changes
    OUT_OF_OFFICE = "out_of_office"  # away, perhaps until a date
    LEFT_COMPANY = "left_company"  # the contact no longer works there
    AUTO_REPLY = "auto_reply"  # any other automatic answer (ticket opened, thank you…)
    COPY_REQUEST = "copy_request"  # a person wrote asking for a copy of an invoice
    UNREADABLE = "unreadable"  # never classified so: a message that could not be read, set aside


#: What a person wrote (not a machine): the ladder holds until someone acts on it.
PERSON_WROTE = frozenset({Kind.REPLY, Kind.COPY_REQUEST})


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    size: int


@dataclass(frozen=True)
class Inbound:
    message_id: str
    sender: str  # the address only, lower case
    sender_name: str
    subject: str
    date: datetime | None
    references: tuple[str, ...]  # In-Reply-To first, then References, without duplicates
    text: str  # the whole text part (HTML-only messages converted), bounded
    reply_text: str  # the text without the quoted history
    attachments: tuple[Attachment, ...]
    kind: Kind
    failed_addresses: tuple[str, ...] = ()  # for bounces
    bounce_detail: str = ""  # status and diagnostic of a DSN
    back_on: dt.date | None = None  # for out-of-office answers that say when
    recipients: tuple[str, ...] = ()  # the addresses it was delivered to (a reply token's)
    auth_results: tuple[str, ...] = ()  # the Authentication-Results headers, top down


@dataclass(frozen=True)
class Unreadable:
    reason: str


_MSGID = re.compile(r"<[^<>\s]+>")


def read_message(raw: bytes, today: date) -> Inbound | Unreadable:
    """One message from its bytes. `today` anchors a return date written without a year."""
    try:
        message = message_from_bytes(raw, policy=policy.default)
        return _read(message, today)
    except Exception as exc:  # a hostile or broken message is set aside, never a crash loop
        return Unreadable(f"{type(exc).__name__}: {exc}"[:500])


def _header(message: Message, name: str) -> str:
    """One line, without control or bidirectional-override characters (a subject that
    reverses the text around it shows what it is)."""
    value = message.get(name)
    if value is None:
        return ""
    text = "".join(c for c in str(value) if unicodedata.category(c) not in ("Cc", "Cf"))
    return " ".join(text.split())


def _read(message: EmailMessage, today: date) -> Inbound | Unreadable:
    if message.defects and not message.get("From"):
        return Unreadable("no headers could be read: " + ", ".join(map(_defect, message.defects)))
    sender_name, sender = parseaddr(_header(message, "From"))
    references: list[str] = []
    for headers in (message, *_returned_headers(message)):
        for name in ("In-Reply-To", "References", "Message-ID"):
            if name == "Message-ID" and headers is message:
                continue
            for ref in _MSGID.findall(_header(headers, name)):
                if ref not in references:
                    references.append(ref)
    try:
        sent = parsedate_to_datetime(_header(message, "Date")) if message.get("Date") else None
    except (TypeError, ValueError):
        sent = None
    text = _text(message)[:MAX_TEXT]
    attachments = tuple(_attachments(message))
    kind, failed, detail = _classify(message, text)
    back_on = return_date(text, today) if kind is Kind.OUT_OF_OFFICE else None
    return Inbound(
        message_id=_header(message, "Message-ID")[:200],
        sender=sender.lower()[:254],
        sender_name=sender_name[:200],
        subject=_header(message, "Subject")[:500],
        date=sent,
        references=tuple(references),
        text=text,
        reply_text=trim_quoted(text),
        attachments=attachments,
        kind=kind,
        failed_addresses=failed,
        bounce_detail=detail,
        back_on=back_on,
        recipients=_recipients(message),
        auth_results=tuple(
            str(value)[:8000] for value in (message.get_all("Authentication-Results") or [])[:20]
        ),
    )


_RECIPIENT_HEADERS = ("Delivered-To", "X-Original-To", "To", "Cc")


def _recipients(message: EmailMessage) -> tuple[str, ...]:
    """Where the message was addressed, lower case, at most 50."""
    values = [str(v) for name in _RECIPIENT_HEADERS for v in (message.get_all(name) or [])]
    found = [address.lower()[:254] for _name, address in getaddresses(values) if address]
    return tuple(dict.fromkeys(found))[:50]


def _returned_headers(message: EmailMessage) -> list[Message]:
    """The headers of our own message that a delivery report sends back (RFC 3462): its
    Message-ID tells which reminder bounced."""
    found: list[Message] = []
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "message/rfc822":
            found += [p for p in part.get_payload() if isinstance(p, Message)]
        elif kind == "text/rfc822-headers":
            payload = part.get_payload(decode=True)
            found.append(message_from_bytes(payload if isinstance(payload, bytes) else b""))
    return found


def _defect(defect: Exception) -> str:
    return type(defect).__name__


def _text(message: EmailMessage) -> str:
    """The first text/plain body part; else the first HTML one, converted to text."""
    try:
        body = message.get_body(preferencelist=("plain",))
        if body is not None:
            return str(body.get_content())
        body = message.get_body(preferencelist=("html",))
        if body is not None:
            return html_to_text(str(body.get_content()))
    except (LookupError, KeyError):  # an unknown charset: read what can be read
        payload = message.get_payload(decode=True)
        if isinstance(payload, bytes):
            return payload.decode("utf-8", errors="replace")
    return ""


def _attachments(message: EmailMessage) -> Iterator[Attachment]:
    if message.get_content_maintype() != "multipart" or message.get_content_type() == (
        "multipart/report"
    ):
        return
    for part in message.iter_attachments():
        if part.get_content_maintype() == "multipart":
            continue
        payload = part.get_payload(decode=True)
        yield Attachment(
            filename=(part.get_filename() or "(no name)")[:200],
            content_type=part.get_content_type(),
            size=len(payload) if isinstance(payload, bytes) else len(str(part.get_payload())),
        )


# --- classification: standards first ------------------------------------------------------

_VENDOR_AUTO = ("x-autoreply", "x-autorespond", "x-auto-response-suppress", "x-mailer-autoreply")
_OOO_WORDS = re.compile(
    r"out of (the )?office|away from (the|my) office|on (annual )?leave|on holiday|on vacation|"
    r"absent|abwesen|nicht im büro|urlaub|absence|en congé|en vacances|fuera de la oficina|"
    r"ausente|de vacaciones|automatic reply|réponse automatique|automatische antwort|"
    r"respuesta automática",
    re.IGNORECASE,
)
_LEFT_WORDS = re.compile(
    r"(no longer|not longer) (with|work(s|ing)? (at|for)|employed)|has left (the company|\w+)|"
    r"left the company|ne fait plus partie|a quitté|n'est plus (en poste|chez|employée?)|"
    r"nicht mehr (bei|im unternehmen|für)|hat das unternehmen verlassen|"
    r"ya no (trabaja|forma parte)",
    re.IGNORECASE,
)


def _classify(message: EmailMessage, text: str) -> tuple[Kind, tuple[str, ...], str]:
    if message.get_content_type() == "multipart/report" or _is_dsn(message):
        temporary, permanent = all_failures(message)
        detail = _dsn_detail(message)
        if permanent:
            addresses = sorted(a.decode(errors="replace").lower() for a in permanent)
            return Kind.BOUNCE, tuple(addresses), detail
        if temporary:
            addresses = sorted(a.decode(errors="replace").lower() for a in temporary)
            return Kind.DELAY, tuple(addresses), detail
    if _is_automatic(message):
        words = f"{_header(message, 'Subject')}\n{text[:3000]}"
        if _LEFT_WORDS.search(words):
            return Kind.LEFT_COMPANY, (), ""
        if _OOO_WORDS.search(words):
            return Kind.OUT_OF_OFFICE, (), ""
        return Kind.AUTO_REPLY, (), ""
    if asks_for_copy(trim_quoted(text)):
        return Kind.COPY_REQUEST, (), ""
    return Kind.REPLY, (), ""


# How customers ask for a copy, in each shipped language: "a copy of the invoice", "could you
# resend invoice…", "duplicata", "Rechnungskopie", "copia de la factura"…
_COPY_WORDS = re.compile(
    r"\b(cop(y|ies) of (the |your |this |that |our |these |those )?(invoices?|bills?|statement)|"
    r"(re-?send|send (me|us)( again)?) (a |the |another )?(cop(y|ies)|invoices?|bills?)|"
    r"duplicate invoice|invoice cop(y|ies)|"
    r"copies? (de la|des|de cette|de votre) factures?|duplicatas?|"
    r"(renvoyer|réexpédier|retransmettre|renvoyez|envoyer à nouveau) (la|les|cette|votre|vos) "
    r"factures?|"
    r"rechnungskopien?|kopien? (der|ihrer|dieser) rechnung(en)?|rechnungsduplikat|"
    r"rechnung(en)? (erneut|nochmals|noch einmal) (zu)?(senden|schicken)|"
    r"copias? de (la|las|esta|su|sus) facturas?|duplicado de (la|las) facturas?|"
    r"(reenviar|reenvíen|reenvíe|volver a enviar)(nos|me)? (la|las|esta|su|sus) facturas?)",
    re.IGNORECASE,
)


def asks_for_copy(reply_text: str) -> bool:
    """Whether a person's new text (the quoted history left out) asks for a copy."""
    return bool(_COPY_WORDS.search(reply_text[:3000]))


def _is_dsn(message: EmailMessage) -> bool:
    return any(part.get_content_type() == "message/delivery-status" for part in message.walk())


def _is_automatic(message: EmailMessage) -> bool:
    """RFC 3834 first; then the headers the common mail systems set on their answers."""
    auto = _header(message, "Auto-Submitted").lower()
    if auto and auto != "no":
        return True
    if any(message.get(name) for name in _VENDOR_AUTO):
        return True
    if _header(message, "Precedence").lower() in ("auto_reply", "bulk", "junk"):
        return True
    return bool(message.get("X-Autoreply") or message.get("X-Autorespond"))


def _dsn_detail(message: EmailMessage) -> str:
    """Status and diagnostic of the first failed recipient in the DSN, for the people."""
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        blocks = part.get_payload()
        if not isinstance(blocks, list):
            continue
        for block in blocks[1:]:
            if not isinstance(block, Message):
                continue
            status = _header(block, "Status")
            diagnostic = _header(block, "Diagnostic-Code")
            if status or diagnostic:
                return " ".join(filter(None, (status, diagnostic)))[:500]
    return ""
