"""Payment plans: instalments for a customer's open invoices, within the limits the finance
lead sets. Staff may agree a plan within them; beyond them only a lead may, and a refusal is
recorded like an acceptance. A plan on track holds the ladder, like a promise: once agreed,
what it overtakes stops at once (services/overtaken.py); a missed instalment releases it and
shows in the digest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.db import unit_of_work
from bot.domain.money import Money, open_minor
from bot.domain.plans import schedule, settled
from bot.domain.states import PlanState, transition
from bot.models import Customer, Instalment, Invoice, PaymentPlan, PlanInvoice
from bot.rendering.staff_text import N_, phrase
from bot.services import audit
from bot.services.accounts.plan_notices import before_instalment, due_soon, suggest_notice
from bot.services.accounts.plan_status import active_plans, statuses
from bot.services.common.customer_policy import Policies
from bot.services.common.errors import Invalid
from bot.services.common.lookup import find_customer, open_invoices
from bot.services.common.queries import id_of
from bot.services.reminders.compose import Composer
from bot.services.reminders.overtaken import NOTHING, Touched, overtake


@dataclass(frozen=True)
class PlanOutcome:
    accepted: bool
    customer: str
    instalments: list[tuple[date, Money]]
    breaches: list[str]  # the limits it goes beyond (accepted anyway when a lead agreed it)
    touched: Touched = NOTHING  # the customer's reminders whose cards and worklists show it
    confirmation: int | None = None  # the reminder telling the customer, awaiting approval


# The outer bounds even a lead cannot pass: ten years of monthly instalments, starting within a
# year. They keep every date a plan computes far from the calendar's end.
MOST_INSTALMENTS = 120
FURTHEST_FIRST_DAYS = 366


def propose_plan(
    engine: Engine,
    customer_query: str,
    count: int,
    first: date | None,
    user: str,
    is_lead: bool,
    policies: Policies,
    today: date,
    composer: Composer | None = None,
) -> PlanOutcome:
    """The plan within the limits of the policy governing the customer (its segment's, or
    the main one); beyond them only a lead's is agreed, and a refusal is recorded. With a
    `composer`, an agreed plan's confirmation to the customer (its schedule) is suggested in
    the same transaction."""
    first = _first_due(count, first, today)
    with unit_of_work(engine) as session:
        customer = find_customer(session, customer_query)
        limits = policies.of_customer(session, id_of(customer)).plans
        invoices = _plannable(session, customer, count, limits.max_instalments)
        currency = invoices[0].currency
        total = sum(open_minor(i.amount_minor, i.paid_minor) for i in invoices)
        plan_dates = schedule(total, count, first)
        breaches = limits.breaches(
            count, (plan_dates[-1][0] - today).days, Decimal(plan_dates[0][1]) / Decimal(total)
        )
        accepted = not breaches or is_lead
        instalments = [(d, Money.of_minor(a, currency)) for d, a in plan_dates]
        content = {
            "instalments": [[d.isoformat(), str(m.amount)] for d, m in instalments],
            "currency": currency,
            "beyond_limits": breaches,
            "by_lead": is_lead,
        }
        numbers = tuple(i.number for i in invoices)
        if not accepted:
            audit.append(
                session,
                audit.NewEvent(
                    kind="plan_refused",
                    actor=user,
                    customer_id=customer.id,
                    invoice_numbers=numbers,
                    content=content,
                ),
            )
            return PlanOutcome(False, customer.name, instalments, breaches)
        plan = _agree(session, customer, invoices, total, plan_dates, user, content)
        fact = phrase(
            "a payment plan was agreed, its first instalment due {date}", date=first.isoformat()
        )
        touched = overtake(session, id_of(customer), numbers, user, fact)
        confirmation = (
            suggest_notice(session, composer, plan, "confirmed", today, user)
            if composer is not None
            else None
        )
        return PlanOutcome(True, customer.name, instalments, breaches, touched, confirmation)


def _first_due(count: int, first: date | None, today: date) -> date:
    """The first instalment's date (a week from today unless given), checked with the count."""
    if count < 1:
        raise Invalid(N_("A plan needs at least one instalment."))
    first = first or today + timedelta(days=7)
    if first < today:
        raise Invalid(
            phrase(
                "{date} is in the past: the first instalment is due today or later.",
                date=first.isoformat(),
            )
        )
    if first > today + timedelta(days=FURTHEST_FIRST_DAYS):
        raise Invalid(
            phrase(
                "{date} is too far ahead: the first instalment is due within a year.",
                date=first.isoformat(),
            )
        )
    return first


def _plannable(session: Session, customer: Customer, count: int, most: int) -> list[Invoice]:
    """The customer's open invoices a plan of `count` instalments may cover: some, in one
    currency, and no plan on track already (`most`: the instalments staff may offer)."""
    if count > MOST_INSTALMENTS:  # checked before any date arithmetic: 10**6 would overflow
        raise Invalid(
            phrase(
                "{count} instalments is more than any plan may have ({most}); "
                "staff may offer up to {allowed} without a lead.",
                count=count,
                most=MOST_INSTALMENTS,
                allowed=most,
            )
        )
    invoices = open_invoices(session, id_of(customer))
    if not invoices:
        raise Invalid(phrase("{customer} owes nothing.", customer=customer.name))
    if len({i.currency for i in invoices}) > 1:
        raise Invalid(
            phrase(
                "{customer} owes in several currencies: one plan per currency "
                "is not supported yet.",
                customer=customer.name,
            )
        )
    active = session.exec(
        select(PaymentPlan).where(
            col(PaymentPlan.customer_id) == customer.id,
            col(PaymentPlan.state) == PlanState.ACTIVE,
        )
    ).first()
    if active is not None:
        raise Invalid(
            phrase(
                "{customer} already has a plan on track (#{plan}).",
                customer=customer.name,
                plan=active.id,
            )
        )
    return invoices


def _agree(
    session: Session,
    customer: Customer,
    invoices: list[Invoice],
    total: int,
    plan_dates: list[tuple[date, int]],
    user: str,
    content: dict[str, Any],
) -> PaymentPlan:
    """The plan stored with its instalments, and its audit event."""
    numbers = tuple(i.number for i in invoices)
    plan = PaymentPlan(
        customer_id=id_of(customer),
        currency=invoices[0].currency,
        invoices=PlanInvoice.listing(numbers),
        total_minor=total,
        paid_at_start_minor=sum(i.paid_minor for i in invoices),
        created_by=user,
        beyond_limits=bool(content["beyond_limits"]),
    )
    session.add(plan)
    session.flush()
    for due, amount in plan_dates:
        session.add(Instalment(plan_id=id_of(plan), due_date=due, amount_minor=amount))
    audit.append(
        session,
        audit.NewEvent(
            kind="plan",
            actor=user,
            customer_id=customer.id,
            invoice_numbers=numbers,
            content={"plan": plan.id, **content},
        ),
    )
    return plan


def settle_plans(
    engine: Engine, today: date, policies: Policies, composer: Composer | None = None
) -> list[int]:
    """Mark plans completed, or missed when an instalment's date and the grace of the policy
    governing its customer have passed unpaid (the ladder resumes); returns the ids of the
    plans missed now. With a `composer`, the customer's notices are suggested too: the missed
    instalment's, and a note before each instalment of a plan on track."""
    missed: list[int] = []
    with unit_of_work(engine) as session:
        plans = active_plans(session)
        governing = policies.of_customers(session, {plan.customer_id for plan in plans})
        for plan, status in zip(plans, statuses(session, plans), strict=True):
            grace = governing[plan.customer_id].promise_grace_days
            state = settled(status.next_due, grace, today)
            if state is PlanState.ACTIVE:
                if composer is not None and status.next_due and due_soon(status.next_due, today):
                    before_instalment(session, composer, plan, status.next_due, today)
                continue
            plan.state = transition(plan.state, state)
            # missed: an instalment is due (a plan with none left is completed)
            if state is PlanState.MISSED and status.next_due is not None:
                missed.append(id_of(plan))
                audit.append(
                    session,
                    audit.NewEvent(
                        kind="plan_missed",
                        actor="relance",
                        customer_id=plan.customer_id,
                        invoice_numbers=status.invoice_numbers,
                        content={"plan": plan.id, "instalment_due": status.next_due.isoformat()},
                    ),
                )
                if composer is not None:
                    suggest_notice(
                        session, composer, plan, "missed", today, "relance", status.next_due
                    )
    return missed
