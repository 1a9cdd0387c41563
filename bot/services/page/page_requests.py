"""What a customer asks for on the page, for a person to decide: a payment plan within the policy
(its schedule shown first), a change of contact details."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from email_validator import EmailNotValidError, validate_email
from sqlalchemy.engine import Engine

from bot.db import read_only, unit_of_work
from bot.domain.money import (
    Money,
)
from bot.domain.plans import schedule
from bot.models import ContactChange, Customer
from bot.rendering.staff_text import N_
from bot.services import audit
from bot.services.common.customer_policy import Policies
from bot.services.common.queries import get, id_of
from bot.services.page.answers import _news
from bot.services.page.customer_page import (
    ACTOR,
    MAX_LINE,
    News,
    PageInvalid,
    _note,
    clean_text,
    load_page,
)
from bot.services.page.page_links import LinkHolder


@dataclass(frozen=True)
class PlanProposal:
    """The schedule a plan request would ask for: what is due now, in equal monthly
    instalments, the first today (`domain.plans.schedule`)."""

    instalments: list[tuple[date, Money]]


def propose_plan(
    engine: Engine, policies: Policies, holder: LinkHolder, form: dict[str, str], today: date
) -> PlanProposal:
    """The schedule for the count asked, within what the customer's policy lets staff agree
    (more instalments are refused here: the page offers only what can be accepted)."""
    with read_only(engine) as session:
        most = policies.of_customer(session, holder.customer_id).plans.max_instalments
    try:
        count = int(form.get("instalments", ""))
    except ValueError:
        raise PageInvalid("instalments", "number", most=most) from None
    if not 2 <= count <= most:
        raise PageInvalid("instalments", "number", most=most)
    due = load_page(engine, policies, holder.customer_id, today).totals
    if len(due) != 1:  # nothing due now, or several currencies: a person sets that plan up
        raise PageInvalid("instalments", "plan_currency")
    total = due[0]
    return PlanProposal(
        [
            (day, Money.of_minor(minor, total.currency))
            for day, minor in schedule(total.minor, count, today)
        ]
    )


def ask_plan(
    engine: Engine,
    policies: Policies,
    holder: LinkHolder,
    client: str,
    form: dict[str, str],
    today: date,
    digest_channel: str,
) -> News:
    """A plan request for the schedule the customer saw, recorded for a collector to agree."""
    proposal = propose_plan(engine, policies, holder, form, today)
    count = len(proposal.instalments)
    shown = [
        f"{day.isoformat()}: {amount.amount} {amount.currency}"
        for day, amount in proposal.instalments
    ]
    with unit_of_work(engine) as session:
        audit.append(
            session,
            audit.NewEvent(
                kind="page_plan_request",
                actor=ACTOR,
                customer_id=holder.customer_id,
                channel="page",
                content={
                    "instalments": count,
                    "schedule": "; ".join(shown),
                    **_note(holder, client),
                },
            ),
        )
    return _news(
        engine,
        holder,
        digest_channel,
        "plan",
        invoice_numbers=(),
        facts=[(N_("Instalments"), str(count)), (N_("Schedule"), "; ".join(shown))],
    )


def ask_contact_change(
    engine: Engine,
    holder: LinkHolder,
    client: str,
    form: dict[str, str],
    digest_channel: str,
) -> News:
    """A new billing contact is a request, never a change: a forwarded link could otherwise
    redirect every future reminder. It waits for a collector (services/contact_changes.py);
    the customer's addresses stay as they are until then."""
    name = clean_text(form.get("contact_name", ""), "contact_name", MAX_LINE)
    phone = clean_text(form.get("phone", ""), "phone", 40)
    try:
        email = validate_email(
            clean_text(form.get("email", ""), "email", 254), check_deliverability=False
        ).normalized
    except EmailNotValidError:
        raise PageInvalid("email", "email") from None
    with unit_of_work(engine) as session:
        customer = get(session, Customer, holder.customer_id)
        before = {"contact_name": customer.contact_name, "email": customer.email}
        change = ContactChange(
            customer_id=holder.customer_id,
            contact_name=name,
            email=email,
            phone=phone,
            link=holder.public_id,
        )
        session.add(change)
        session.flush()
        audit.append(
            session,
            audit.NewEvent(
                kind="page_contact_asked",
                actor=ACTOR,
                customer_id=holder.customer_id,
                channel="page",
                content={
                    "request": id_of(change),
                    "before": json.dumps(before, ensure_ascii=False),
                    "contact_name": name,
                    "email": email,
                    "phone": phone,
                    **_note(holder, client),
                },
            ),
        )
        request = id_of(change)
    return _news(
        engine,
        holder,
        digest_channel,
        "contact",
        invoice_numbers=(),
        facts=[(N_("Contact"), name), (N_("E-mail"), email), (N_("Phone"), phone)],
        request_id=request,
    )
