"""Cash application: bank statements, their lines, the payments applied from them, and the payer
IBANs learnt."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from bot.domain.states import (
    BankLineState,
)
from bot.models.base import (
    UTCDateTime,
    _minor,
    _state,
    _timestamp,
)


class BankStatement(SQLModel, table=True):
    """One bank file imported (`relance import-bank`): its lines are `BankLine`s."""

    __tablename__ = "bank_statement"

    id: int | None = Field(default=None, primary_key=True)
    file_name: str = Field(max_length=255)
    file_sha256: str = Field(max_length=64)
    format: str = Field(max_length=40)  # camt.053, camt.054, mt940, ofx, csv:<mapping>
    account: str = Field(default="", max_length=64)
    lines: int = 0  # entries in the file (those already imported before included)
    imported_by: str = Field(max_length=100)
    imported_at: datetime = _timestamp()
    slack_channel: str = Field(default="", max_length=40)  # its summary in the digest channel
    slack_ts: str = Field(default="", max_length=40)


class BankLine(SQLModel, table=True):
    """One entry of a statement, once per account and bank reference however often the file
    comes: what it says, what matching made of it (`state`: domain/states.BankLineState) and
    who decided."""

    __tablename__ = "bank_line"
    __table_args__ = (sa.UniqueConstraint("account", "reference", name="uq_bank_line_entry"),)

    id: int | None = Field(default=None, primary_key=True)
    statement_id: int = Field(foreign_key="bank_statement.id", index=True)
    account: str = Field(default="", max_length=64)
    reference: str = Field(max_length=100)
    position: int = 0
    booked_on: date
    currency: str = Field(max_length=3)
    amount_minor: int = _minor()
    credit: bool = True
    reversal: bool = False
    payer_name: str = Field(default="", max_length=140)
    payer_iban: str = Field(default="", max_length=34, index=True)
    remittance: str = Field(default="")
    end_to_end: str = Field(default="", max_length=100)
    state: BankLineState = _state(BankLineState, index=True)
    rule: int = 0  # 1 reference, 2 payer, 3 a person
    why: str = Field(default="")
    customer_id: int | None = Field(default=None, foreign_key="customer.id", index=True)
    candidates: str = Field(default="[]")  # JSON: invoice numbers a person may choose among
    proposed: str = Field(default="[]")  # JSON: [[number, minor], …] the matching proposes
    unapplied_minor: int = _minor()  # received beyond what it paid: credit a person places
    reverses_line_id: int | None = Field(default=None, foreign_key="bank_line.id")
    decided_by: str = Field(default="", max_length=40)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    slack_channel: str = Field(default="", max_length=40)  # its card, when a person decides
    slack_ts: str = Field(default="", max_length=40)


class CashApplication(SQLModel, table=True):
    """Money from one bank line applied to one invoice: what it paid, by which rule, who
    decided. A reversal marks it undone (and takes the amount off the invoice again)."""

    __tablename__ = "cash_application"

    id: int | None = Field(default=None, primary_key=True)
    line_id: int = Field(foreign_key="bank_line.id", index=True)
    invoice_id: int = Field(foreign_key="invoice.id", index=True)
    amount_minor: int = _minor()
    rule: int = 0
    decided_by: str = Field(max_length=40)
    applied_at: datetime = _timestamp(index=True)
    undone_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PayerIban(SQLModel, table=True):
    """An IBAN a customer paid from, learnt when a person applied a payment from it: the
    next payment from it is suggested for that customer."""

    __tablename__ = "payer_iban"
    __table_args__ = (sa.UniqueConstraint("iban", "customer_id", name="uq_payer_iban_customer"),)

    id: int | None = Field(default=None, primary_key=True)
    iban: str = Field(max_length=34, index=True)
    customer_id: int = Field(foreign_key="customer.id")
    learnt_by: str = Field(max_length=40)
    learnt_at: datetime = _timestamp()
    line_id: int | None = Field(default=None, foreign_key="bank_line.id")
