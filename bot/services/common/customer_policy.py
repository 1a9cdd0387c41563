"""The policy that governs a customer wherever its settings apply outside the morning's
deciding: a promise's or a plan's grace, a plan's limits, the furthest promise on the page, a
"says paid" hold. It is chosen as the morning chooses (`Segments.deciding` over the segment
the customer names, its country and what it owes), so a customer in a segment is held to that
segment's settings everywhere, not to the main policy's."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session, col

from bot.domain.money import from_minor
from bot.domain.policy import Policy
from bot.domain.segments import Segments
from bot.models import OPEN_INVOICE, Customer, Invoice
from bot.services.common.queries import stored_id


@dataclass(frozen=True)
class Policies:
    """The main policy in force and the segments laid over it."""

    main: Policy
    segments: Segments = field(default_factory=Segments)

    def of_customers(self, session: Session, customer_ids: Collection[int]) -> dict[int, Policy]:
        """Each customer's governing policy, in one query however many they are. A segment
        the policy does not know falls back to the main policy (the morning holds such a
        customer back and names why)."""
        ids = sorted(set(customer_ids))
        if not ids or not self.segments.policies:  # no segments: no query
            return dict.fromkeys(ids, self.main)
        # what each owes per currency, as the morning sums it: the open invoices' balances
        owing = sa.func.sum(col(Invoice.amount_minor) - col(Invoice.paid_minor))
        keys = (col(Customer.id), col(Customer.segment), col(Customer.country))
        rows = (
            session.connection()
            .execute(
                sa.select(*keys, col(Invoice.currency), owing)
                .select_from(Customer)
                .outerjoin(
                    Invoice, sa.and_(col(Invoice.customer_id) == col(Customer.id), OPEN_INVOICE)
                )
                .where(col(Customer.id).in_(ids))
                .group_by(*keys, col(Invoice.currency))
            )
            .all()
        )
        named: dict[int, tuple[str, str]] = {}
        balances: dict[int, dict[str, Decimal]] = defaultdict(dict)
        for key, segment, country, currency, total in rows:
            customer_id = stored_id(key)
            named[customer_id] = (segment, country)
            if currency is not None:  # a customer owing nothing has no invoice joined
                balances[customer_id][currency] = from_minor(int(total), currency)
        governing = {}
        for customer_id, (segment, country) in named.items():
            _, policy = self.segments.deciding(segment, country, balances[customer_id], self.main)
            governing[customer_id] = policy or self.main
        return governing

    def of_customer(self, session: Session, customer_id: int) -> Policy:
        """One customer's governing policy."""
        return self.of_customers(session, (customer_id,))[customer_id]
