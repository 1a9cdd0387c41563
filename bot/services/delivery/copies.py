"""Copies of invoices: what an e-mail encloses, and the answer to a customer who asks for them.

An e-mail attaches the PDFs of the invoices it lists, read from the documents folder, while
their total stays within `RELANCE_ATTACHMENTS_MAX_BYTES`; the others, and those the ledger
gives as https addresses, are linked under a note in the customer's language (a file is linked
through the customer's page, which serves it only to the link's holder). A copy that cannot be
found is left out and named in the audit trail, never guessed at.

A customer who asks for copies gets them by a person's click (*Send copies*): the answer to
their message, sent through the outbox like any answer (once, retried, logged), with the
invoices still open and a statement of account generated at the moment it leaves.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape
from urllib.parse import quote
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.channels.documents import DocumentMissing, read_pdf, size_of
from bot.channels.email import Email
from bot.config import Settings
from bot.db import read_only, unit_of_work
from bot.domain.copies import Copy, is_url, pack
from bot.models import Customer, InboundMessage, Invoice, Reminder
from bot.rendering.staff_text import N_
from bot.services import audit
from bot.services.common.customer_policy import Policies
from bot.services.common.errors import Invalid
from bot.services.common.lookup import open_invoices
from bot.services.common.queries import get
from bot.services.inbox import replies
from bot.services.page.customer_page import ACTOR, load_page
from bot.services.page.statement import copy_words, statement_pdf
from bot.services.reminders.suggestions import FOLLOW_UP_STAGES

log = logging.getLogger(__name__)
KIND = "copies"  # the answer's stage is `copies-<message id>`, its audit event `copies`
_FILE_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")

PageUrl = Callable[[int], str]


def attachment_name(number: str) -> str:
    """`FA-2026-0106.pdf`: the invoice number with anything a file name cannot hold replaced."""
    return f"{_FILE_NAME_UNSAFE.sub('-', number).strip('-.') or 'invoice'}.pdf"


def invoice_link(page_url: str, number: str) -> str:
    """Where the customer's page serves one invoice's PDF."""
    return f"{page_url}/invoice?n={quote(number, safe='')}"


def statement_link(page_url: str) -> str:
    return f"{page_url}/statement"


def invoice_copies(session: Session, numbers: Sequence[str], settings: Settings) -> list[Copy]:
    """The copies of these invoices, in their order: each file's size (None when it cannot be
    read: logged), each address as it is."""
    found = dict(
        session.exec(
            select(col(Invoice.number), col(Invoice.pdf)).where(
                col(Invoice.number).in_(list(numbers)), col(Invoice.pdf) != ""
            )
        ).all()
    )
    copies = []
    for number in numbers:
        reference = found.get(number)
        if reference is None:
            continue
        size = None
        if not is_url(reference):
            try:
                size = size_of(settings.documents_dir, reference)
            except DocumentMissing as missing:
                log.warning("the copy of invoice %s cannot be read: %s", number, missing)
        copies.append(Copy(number, reference, size))
    return copies


def carries_copies(stage: str) -> bool:
    """A reminder on the ladder, or an answer sending copies; not a thank-you, a plan's notice
    or a person's own answer (sent as written)."""
    return stage not in FOLLOW_UP_STAGES and not stage.startswith("reply-")


@dataclass(frozen=True)
class Enclosures:
    attachments: tuple[tuple[str, bytes], ...]
    links: tuple[tuple[str, str], ...]  # (invoice number, address)
    missing: tuple[str, ...]  # invoice numbers whose copy could be neither attached nor linked


def enclosures(
    engine: Engine,
    settings: Settings,
    policies: Policies,
    reminder_id: int,
    now: datetime,
    page_url: PageUrl,
) -> Enclosures:
    """What the reminder's e-mail carries besides its text: its invoices' copies (attached
    within the cap, else linked) and, for an answer to a request for copies, the statement."""
    with read_only(engine) as session:
        reminder = get(session, Reminder, reminder_id)
        stage = reminder.stage
        copies = (
            invoice_copies(session, reminder.numbers, settings) if carries_copies(stage) else []
        )
        customer_id = reminder.customer_id
    packing = pack(copies, settings.attachments_max_bytes)
    attachments: list[tuple[str, bytes]] = []
    missing = [c.number for c in copies if c not in packing.attached + packing.linked]
    linked = list(packing.linked)
    for copy in packing.attached:
        try:
            content = read_pdf(settings.documents_dir, copy.reference)
        except DocumentMissing as gone:
            log.warning("the copy of invoice %s cannot be attached: %s", copy.number, gone)
            missing.append(copy.number)
            continue
        attachments.append((attachment_name(copy.number), content))
    page = page_url(customer_id) if any(not is_url(c.reference) for c in linked) else ""
    links = []
    for copy in linked:
        if is_url(copy.reference):
            links.append((copy.number, copy.reference))
        elif page:
            links.append((copy.number, invoice_link(page, copy.number)))
        else:  # no page to serve the file from
            missing.append(copy.number)
    if stage.startswith(f"{KIND}-"):
        today = now.astimezone(ZoneInfo(settings.timezone)).date()
        data = load_page(engine, policies, customer_id, today)
        statement = statement_pdf(data, settings, today)
        attachments.append((statement.filename, statement.content))
    return Enclosures(tuple(attachments), tuple(links), tuple(missing))


def enclose(email: Email, found: Enclosures, settings: Settings) -> Email:
    """The e-mail with its copies attached, and a note listing those linked (text and HTML)."""
    if not found.attachments and not found.links:
        return email
    text, html = email.text, email.html
    if found.links:
        _language, t = copy_words(settings.templates_dir, email.language)
        lines = "\n".join(f"- {number}: {url}" for number, url in found.links)
        text = f"{text.rstrip()}\n\n{t['note_linked']}\n{lines}\n"
        if html:
            items = "".join(
                f'<li>{escape(number)}: <a href="{escape(url)}">{escape(url)}</a></li>'
                for number, url in found.links
            )
            note = f"<p>{escape(t['note_linked'])}</p><ul>{items}</ul>"
            end = html.rfind("</body>")
            html = html[:end] + note + html[end:] if end >= 0 else html + note
    return dataclasses.replace(
        email, text=text, html=html, attachments=email.attachments + found.attachments
    )


@dataclass(frozen=True)
class CopiesQueued:
    reminder_id: int
    customer_name: str
    to: str
    numbers: tuple[str, ...]


def send_copies(
    engine: Engine, settings: Settings, inbound_id: int, user: str, now: datetime, page: PageUrl
) -> CopiesQueued:
    """Answer a request for copies: the customer's open invoices' copies and a statement of
    account, queued as the answer to their message (once)."""
    reply = replies.draft(engine, inbound_id)  # refuses a message answered already
    with read_only(engine) as session:
        row = get(session, InboundMessage, inbound_id)
        if row.awaiting_confirmation:  # anyone can write a customer's name in a header
            raise Invalid(
                N_("Confirm first that this message is the customer's: copies go to its sender.")
            )
        customer_id = row.customer_id
        assert customer_id is not None  # the draft has a customer
        customer = get(session, Customer, customer_id)
        numbers = tuple(i.number for i in open_invoices(session, customer_id))
    text = copies_text(settings, customer, numbers, page(customer_id))
    try:
        queued = replies.queue_answer(engine, reply, text, user, now, kind=KIND, numbers=numbers)
    except sa.exc.IntegrityError:  # a simultaneous click inserted the same answer
        raise Invalid(N_("Someone answered this message a moment ago.")) from None
    return CopiesQueued(queued, reply.customer_name, reply.to, numbers)


def copies_text(settings: Settings, customer: Customer, numbers: Sequence[str], page: str) -> str:
    """The answer's words in the customer's language: which invoices, the statement, the
    page, and who writes."""
    _language, t = copy_words(settings.templates_dir, customer.language)
    greeting = (
        t["greeting"].format(name=customer.contact_name)
        if customer.contact_name
        else t["greeting_plain"]
    )
    parts = [greeting, "", t["intro"].format(company=settings.company_name)]
    if numbers:
        parts += ["", t["attached"].format(files=", ".join(numbers))]
    parts += ["", t["statement"]]
    if page:
        parts += ["", t["page"].format(url=page)]
    parts += ["", t["closing"], settings.contact_name, settings.company_name]
    return "\n".join(parts)


@dataclass(frozen=True)
class Download:
    """A copy served from the customer's page: a file's bytes, or the address it lives at."""

    filename: str
    content: bytes = b""
    url: str = ""


def invoice_download(
    engine: Engine, settings: Settings, customer_id: int, number: str
) -> Download | None:
    """The copy of one of this customer's invoices; None when it is not theirs or has none."""
    with read_only(engine) as session:
        reference = session.exec(
            select(col(Invoice.pdf)).where(
                col(Invoice.number) == number,
                col(Invoice.customer_id) == customer_id,
                col(Invoice.pdf) != "",
            )
        ).first()
    if reference is None:
        return None
    if is_url(reference):
        return Download(attachment_name(number), url=reference)
    try:
        return Download(attachment_name(number), read_pdf(settings.documents_dir, reference))
    except DocumentMissing as missing:
        log.warning("the copy of invoice %s cannot be served: %s", number, missing)
        return None


def record_download(
    engine: Engine, customer_id: int, link: str, client: str, document: str, number: str = ""
) -> None:
    """The audit trail keeps each copy the customer took from their page."""
    with unit_of_work(engine) as session:
        audit.append(
            session,
            audit.NewEvent(
                kind="page_copy",
                actor=ACTOR,
                customer_id=customer_id,
                invoice_numbers=(number,) if number else (),
                channel="page",
                content={"link": link, "client": client[:64], "document": document},
            ),
        )
