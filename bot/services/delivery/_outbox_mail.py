"""An outbox row's e-mail, built as it leaves: the reminder's texts, its letter and copies
attached, headers that make it one message wherever it is retried."""

from __future__ import annotations

from sqlmodel import Session, col, select

from bot.channels.email import (
    Email,
    message_id,
    reply_address,
)
from bot.config import Settings
from bot.models import Customer, InboundMessage, Outbox, Reminder
from bot.services.common.queries import get, id_of
from bot.services.delivery._outbox_pause import OutboxPaused as OutboxPaused
from bot.services.delivery.letters import pdf_of


def _email(
    session: Session, outbox: Outbox, settings: Settings
) -> tuple[Email, Reminder, Customer]:
    """The message as it will leave. In test mode it goes to the test address instead of the
    customer, marked as a test, so a team can run for a week before real sends."""
    reminder = get(session, Reminder, outbox.reminder_id)
    customer = session.get(Customer, reminder.customer_id) if reminder else None
    assert reminder is not None and customer is not None  # both foreign keys
    to, subject, text = customer.email, reminder.subject, reminder.body_text
    answered = session.exec(
        select(InboundMessage).where(col(InboundMessage.reply_reminder_id) == reminder.id)
    ).first()
    if answered is not None:  # a person's answer to a customer's message: to its sender
        to = answered.sender
    if settings.test_mode_address:
        to = settings.test_mode_address
        subject = f"[TEST → {customer.email or 'no address'}] {subject}"
        text = (
            f"TEST MODE: this message would have gone to {customer.email or 'nobody'} "
            f"({customer.name}).\n\n{text}"
        )
    letter = pdf_of(reminder, settings)
    attachments = () if letter is None else ((letter.filename, letter.content),)
    email = Email(
        to=to,
        subject=subject,
        text=text,
        html=reminder.body_html,
        language=reminder.language,
        attachments=attachments,
        message_id=message_id(id_of(reminder), settings),
        reply_to=reply_address(id_of(reminder), settings),
        approved_by=reminder.decided_by,
        in_reply_to=answered.message_id if answered is not None else "",
    )
    return email, reminder, customer
