"""The tables. Money is stored in integer minor units; times are stored in UTC.

One module per part of the schema; every table is importable from here (`from bot.models import
Invoice`), and importing this package registers them all on SQLModel's metadata."""

from bot.models.app import AppSetting, SlackRequest
from bot.models.audit import AuditEvent, AuditHead
from bot.models.base import EMAIL_FAILING, HELD, UTCDateTime, utcnow
from bot.models.cash import BankLine, BankStatement, CashApplication, PayerIban
from bot.models.customer_side import ContactChange, InboundMessage, PageLink
from bot.models.dealings import Contact, Dispute, Instalment, PaymentPlan, Promise
from bot.models.ledger import OPEN_INVOICE, Customer, Invoice
from bot.models.reminders import DigestRun, Outbox, OutboxPause, Reminder, ReminderInvoice

__all__ = [
    "EMAIL_FAILING",
    "HELD",
    "OPEN_INVOICE",
    "AppSetting",
    "AuditEvent",
    "AuditHead",
    "BankLine",
    "BankStatement",
    "CashApplication",
    "Contact",
    "ContactChange",
    "Customer",
    "DigestRun",
    "Dispute",
    "InboundMessage",
    "Instalment",
    "Invoice",
    "Outbox",
    "OutboxPause",
    "PageLink",
    "PayerIban",
    "PaymentPlan",
    "Promise",
    "Reminder",
    "ReminderInvoice",
    "SlackRequest",
    "UTCDateTime",
    "utcnow",
]
