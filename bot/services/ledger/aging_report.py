"""The aging report: open balances per bucket and currency, and who owes the most.

The database does the grouping and summing (integer minor units, so sums are exact); buckets
are decided by comparing due dates with dates computed here, which every dialect does alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from bot.db import read_only
from bot.domain.aging import BUCKET_RANGES, Bucket, due_date_floor
from bot.domain.money import Money, totals_by_currency
from bot.models import OPEN_INVOICE, Customer, Invoice
from bot.services.common.queries import open_balance


@dataclass(frozen=True)
class BucketTotal:
    bucket: Bucket
    currency: str
    invoices: int
    balance: Money


@dataclass(frozen=True)
class OverdueCustomer:
    customer_id: int
    name: str
    country: str
    invoices: int
    overdue: Money
    oldest_due: date

    def days_late(self, today: date) -> int:
        return (today - self.oldest_due).days


@dataclass(frozen=True)
class AgingReport:
    today: date
    totals: list[BucketTotal]
    top_overdue: list[OverdueCustomer]

    def currencies(self) -> list[str]:
        return sorted({t.currency for t in self.totals})

    def total(self, currency: str, *, overdue_only: bool = False) -> Money:
        amounts = [
            t.balance
            for t in self.totals
            if t.currency == currency and not (overdue_only and t.bucket is Bucket.NOT_DUE)
        ]
        return (totals_by_currency(amounts) or [Money.of_minor(0, currency)])[0]


def _bucket_case(today: date) -> sa.Case[Any]:
    whens = []
    for bucket, _least, _most in BUCKET_RANGES:
        floor = due_date_floor(today, bucket)
        if floor is not None:
            whens.append((col(Invoice.due_date) >= floor, bucket.value))
    return sa.case(*whens, else_=Bucket.OVER_90.value)


_BALANCE = open_balance()
_OPEN = OPEN_INVOICE


def aging_report(session: Session, today: date, top: int = 10) -> AgingReport:
    bucket = _bucket_case(today).label("bucket")
    rows = session.execute(
        sa.select(bucket, col(Invoice.currency), sa.func.count(), sa.func.sum(_BALANCE))
        .where(_OPEN)
        .group_by(bucket, col(Invoice.currency))
    ).all()
    order = {b.value: i for i, (b, _l, _m) in enumerate(BUCKET_RANGES)}
    totals = sorted(
        (BucketTotal(Bucket(b), cur, n, Money.of_minor(int(s), cur)) for b, cur, n, s in rows),
        key=lambda t: (t.currency, order[t.bucket.value]),
    )
    return AgingReport(today, totals, top_overdue(session, today, top))


def top_overdue(session: Session, today: date, top: int = 10) -> list[OverdueCustomer]:
    """The customers with the largest overdue balance, `top` per currency (no FX guessing).

    Invoices are summed per customer first, without the customer table; only the winners are
    joined to it for their names.
    """
    per_customer = (
        sa.select(
            col(Invoice.customer_id),
            col(Invoice.currency),
            sa.func.count().label("invoices"),
            sa.func.sum(_BALANCE).label("overdue"),
            sa.func.min(col(Invoice.due_date)).label("oldest"),
        )
        .where(_OPEN, col(Invoice.due_date) < today)
        .group_by(col(Invoice.customer_id), col(Invoice.currency))
        .subquery()
    )
    ranked = sa.select(
        per_customer,
        sa.func.row_number()
        .over(partition_by=per_customer.c.currency, order_by=per_customer.c.overdue.desc())
        .label("rank"),
    ).subquery()
    rows = session.execute(
        sa.select(ranked, col(Customer.name), col(Customer.country))
        .join(Customer, col(Customer.id) == ranked.c.customer_id)
        .where(ranked.c.rank <= top)
        .order_by(ranked.c.currency, ranked.c.overdue.desc())
    ).all()
    return [
        OverdueCustomer(
            r.customer_id,
            r.name,
            r.country,
            r.invoices,
            Money.of_minor(int(r.overdue), r.currency),
            r.oldest,
        )
        for r in rows
    ]


def read_aging_report(engine: Engine, today: date, top: int = 10) -> AgingReport:
    """The report in a read-only transaction of its own (for the terminal)."""
    with read_only(engine) as session:
        return aging_report(session, today, top)
