"""The tables. Money is stored in integer minor units; times are stored in UTC.

One module per part of the schema; every table is importable from here (`from bot.models import
Invoice`), and importing this package registers them all on SQLModel's metadata."""

from bot.models.app import AppSetting, SlackRequest
from bot.models.audit import AuditEvent, AuditEventInvoice, AuditHead
from bot.models.base import EMAIL_FAILING, HELD, EnumText, InvoiceListing, UTCDateTime, utcnow
from bot.models.cash import BankLine, BankStatement, CashApplication, PayerIban
from bot.models.customer_side import ContactChange, InboundMessage, PageLink
from bot.models.dealings import (
    Contact,
    Dispute,
    DisputeFile,
    Instalment,
    PaymentPlan,
    PlanInvoice,
    Promise,
)
from bot.models.ledger import OPEN_INVOICE, Customer, Invoice
from bot.models.reminders import DigestRun, Outbox, OutboxPause, Reminder, ReminderInvoice

__all__ = [
    "EMAIL_FAILING",
    "HELD",
    "OPEN_INVOICE",
    "AppSetting",
    "AuditEvent",
    "AuditEventInvoice",
    "AuditHead",
    "BankLine",
    "BankStatement",
    "CashApplication",
    "Contact",
    "ContactChange",
    "Customer",
    "DigestRun",
    "Dispute",
    "DisputeFile",
    "EnumText",
    "InboundMessage",
    "Instalment",
    "Invoice",
    "InvoiceListing",
    "Outbox",
    "OutboxPause",
    "PageLink",
    "PayerIban",
    "PaymentPlan",
    "PlanInvoice",
    "Promise",
    "Reminder",
    "ReminderInvoice",
    "SlackRequest",
    "UTCDateTime",
    "utcnow",
]
