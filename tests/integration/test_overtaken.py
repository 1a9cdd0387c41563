"""Reminders overtaken by a dispute, a promise, a pause, a payment the customer reports or an
agreed plan, whichever door records it (a customer's message, a command, a call, their page),
on SQLite and PostgreSQL: a suggestion that chases an invoice now off the ladder expires, with
why, by whom, in the audit trail; one that does not chase it stays to be decided; a decided
reminder and other customers' suggestions are left as they are. An e-mail approved but still
waiting for the customer's business hours is not sent: it is stopped, with why; one a sender
already holds goes, once, unless the sender, looking again before it leaves, finds it
overtaken. Each action names the reminders whose cards change."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.channels.email import SmtpSender
from bot.config import Settings, load_policy
from bot.db import read_only
from bot.entry.composition import build_runtime, next_business_morning
from bot.importing.mapping import load_mapping
from bot.models import AuditEvent, InboundMessage, Outbox, Reminder
from bot.services import audit
from bot.services.accounts import calls, disputes, pauses, plans, promises
from bot.services.common.customer_policy import Policies
from bot.services.common.lookup import find_customer
from bot.services.delivery.outbox import LEASE, claim, deliver_due
from bot.services.inbox import actions as inbox_actions
from bot.services.inbox import mailbox as inbox
from bot.services.ledger.importing import import_invoices
from bot.services.overview.reminder_view import load_view
from bot.services.page import answers
from bot.services.page.page_links import LinkHolder
from bot.services.reminders import decisions
from bot.services.reminders.overtaken import NOTHING, Touched
from bot.services.reminders.suggestions import suggest
from bot.slack.blocks.card import reminder_card
from tests.support.csvfiles import line, write_csv
from tests.support.dkim_signer import signed, trusting
from tests.support.drafts import written
from tests.support.kept_text import said
from tests.support.mail_samples import reply
from tests.support.smtp_server import SmtpServer

MONDAY = date(2026, 11, 30)
OWNER = "UOWNER1"


def _morning(engine: Engine, tmp_path: Path) -> dict[str, int]:
    """Atelier Lefèvre (owned, one invoice late and one not yet due) and Bee (unowned, late),
    each with today's suggestion written."""
    settings = Settings()
    now = next_business_morning(MONDAY, settings)
    runtime = build_runtime(settings, engine, clock=lambda: now)
    rows = [
        line(customer_id="A", invoice_number="A-1", due_date="2026-11-10", owner=OWNER),
        line(customer_id="A", invoice_number="A-2", due_date="2026-12-20", owner=OWNER),
        line(
            customer_id="B",
            customer_name="Bee",
            email="ap@bee.example",
            invoice_number="B-1",
            due_date="2026-11-10",
        ),
    ]
    header = [*line().keys(), "owner"]
    import_invoices(engine, write_csv(tmp_path / "l.csv", rows, header=header), load_mapping())
    created = suggest(engine, runtime.policy, runtime.composer, now, now.date()).created
    reminders = {r.invoice_numbers: r.id for r in written(runtime, created)}
    assert set(reminders) == {"A-1", "B-1"}  # A-2 is not due yet
    return reminders


def _morning_and_a_reply(engine: Engine, tmp_path: Path) -> tuple[dict[str, int], int]:
    """The morning above; then Atelier Lefèvre's reply, recorded."""
    reminders = _morning(engine, tmp_path)
    now = next_business_morning(MONDAY, Settings())
    mail = signed(reply(text="A-2 is wrong; A-1 is paid."))
    inbox.record(engine, "INBOX", 1, 1, mail, now, trusting(Settings()))
    with read_only(engine) as session:
        inbound_id = session.exec(select(InboundMessage.id)).one()
    return reminders, inbound_id


def _states(engine: Engine) -> dict[str, tuple[str, str]]:
    with read_only(engine) as session:
        return {
            r.invoice_numbers: (r.state, said(r.skip_reason))
            for r in session.exec(select(Reminder))
        }


def test_a_dispute_expires_only_the_suggestion_that_chases_its_invoice(
    engine: Engine, tmp_path: Path
) -> None:
    reminders, inbound_id = _morning_and_a_reply(engine, tmp_path)
    waiting = ("suggested", "")

    acted = inbox_actions.dispute(engine, inbound_id, ["A-2"], "wrong goods", "U1")
    assert acted.customer_name == "Atelier Lefèvre"
    assert acted.touched.reminders == (reminders["A-1"],)  # its card: flags change
    assert acted.touched.owners == (OWNER,)
    assert _states(engine) == {"A-1": waiting, "B-1": waiting}

    acted = inbox_actions.dispute(engine, inbound_id, ["A-1"], "never delivered", "U1")
    assert acted.touched.reminders == (reminders["A-1"],)
    expired = ("expired", "no longer holds: A-1 disputed by the customer")
    assert _states(engine) == {"A-1": expired, "B-1": waiting}
    with read_only(engine) as session:
        (event,) = session.exec(select(AuditEvent).where(AuditEvent.kind == "expired")).all()
    assert event.actor == "U1" and json.loads(event.content)["reminder"] == reminders["A-1"]


def test_a_decided_reminder_stays_as_decided(engine: Engine, tmp_path: Path) -> None:
    reminders, inbound_id = _morning_and_a_reply(engine, tmp_path)
    policies = build_runtime(Settings(), engine).governing()
    decisions.skip(engine, reminders["A-1"], "U2", "called them instead", policies)

    acted = inbox_actions.reported_paid(engine, inbound_id, "U1")
    assert acted.touched.reminders == () and acted.touched.owners == ()
    assert _states(engine)["A-1"] == ("skipped", "called them instead")


PROMISED = MONDAY + timedelta(days=10)
PLAN_FROM = MONDAY + timedelta(days=7)  # a plan's first instalment, by default
SAID_PAID_UNTIL = MONDAY + timedelta(days=7)  # the policy's said_paid_hold_days
POLICIES = Policies(load_policy())


def _customer(number: str) -> str:
    """The customer's id in the ledger (A-1 is customer A's)."""
    return number.split("-")[0]


def _paid_on_the_page(engine: Engine, number: str) -> Touched:
    """The customer of `number` says on their page they paid."""
    with read_only(engine) as session:
        customer_id = find_customer(session, _customer(number)).id
    assert customer_id is not None
    form = {"paid_on": MONDAY.isoformat(), "amount": "100", "reference": "transfer 12"}
    holder = LinkHolder(customer_id, "link-1", 1)
    return answers.say_paid(engine, POLICIES, holder, "127.0.0.1", form, MONDAY, "C").touched


@dataclass(frozen=True)
class Door:
    """A door that records a fact taking an invoice off the ladder, other than a customer's
    message: `record` does it on an invoice (its whole account, for some), returning what it
    touched; `fact` as the door states it ({number}: the invoice); `at_sending` as the sender
    finds it in the ledger when it looks again."""

    record: Callable[[Engine, str], Touched]
    fact: str
    at_sending: str
    actor: str = "U1"


PROMISE = f"the customer promised to pay by {PROMISED.isoformat()}"
PAUSED = "reminders are paused"
SAID_PAID = (
    f"the customer says it is paid: held until {SAID_PAID_UNTIL.isoformat()}, "
    "pending the next import"
)
DOORS: dict[str, Door] = {
    "/relance dispute": Door(
        lambda engine, number: disputes.open_dispute(engine, number, "never delivered", "U1"),
        "{number} disputed by the customer",
        "{number} disputed by the customer",
    ),
    "/relance promise": Door(
        lambda engine, number: (
            promises.record_promise(engine, number, PROMISED, None, "U1", MONDAY).touched
        ),
        PROMISE,
        PROMISE,
    ),
    "a call's promise": Door(
        lambda engine, number: (
            calls.log_call(
                engine, _customer(number), "U1", "reached", MONDAY, promise_date=PROMISED
            ).touched
        ),
        PROMISE,
        PROMISE,
    ),
    "/relance pause": Door(
        lambda engine, number: pauses.pause(engine, _customer(number), "U1", None, MONDAY)[1],
        PAUSED,
        PAUSED,
    ),
    "'I have paid' on the page": Door(_paid_on_the_page, SAID_PAID, SAID_PAID, "customer-page"),
    "/relance plan": Door(
        lambda engine, number: (
            plans.propose_plan(
                engine, _customer(number), 3, None, "U1", False, POLICIES, MONDAY
            ).touched
        ),
        f"a payment plan was agreed, its first instalment due {PLAN_FROM.isoformat()}",
        f"the customer promised to pay by {PLAN_FROM.isoformat()}",  # its next instalment
    ),
}


@pytest.mark.parametrize("door", list(DOORS))
def test_every_door_expires_the_suggestions_it_overtakes(
    engine: Engine, tmp_path: Path, door: str
) -> None:
    reminders = _morning(engine, tmp_path)
    chosen = DOORS[door]

    touched = chosen.record(engine, "A-1")

    assert touched.reminders == (reminders["A-1"],) and touched.owners == (OWNER,)
    why = f"no longer holds: {chosen.fact.format(number='A-1')}"
    assert _states(engine) == {"A-1": ("expired", why), "B-1": ("suggested", "")}
    with read_only(engine) as session:
        (event,) = session.exec(select(AuditEvent).where(AuditEvent.kind == "expired")).all()
    assert event.actor == chosen.actor and json.loads(event.content)["reason"] == why


FRIDAY_DIGEST = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)  # 19:00 in Sydney
SYDNEY_MONDAY_OPENING = datetime(2026, 11, 29, 22, 0, tzinfo=UTC)


def _approved_for_monday(
    engine: Engine, tmp_path: Path, smtp: SmtpServer
) -> tuple[Settings, dict[str, int]]:
    """Two customers in Sydney, each with an e-mail approved on Friday at the digest, waiting
    in the outbox for their Monday's business hours; their reminders by invoice."""
    settings = Settings(smtp_host="127.0.0.1", smtp_port=smtp.port)  # type: ignore[arg-type]
    runtime = build_runtime(settings, engine, clock=lambda: FRIDAY_DIGEST)
    sydney = {"language": "en", "country": "AU", "timezone": "Australia/Sydney", "currency": "AUD"}
    rows = [
        line(
            customer_id=c,
            customer_name=f"{c} Pty Ltd",
            email=f"ap@{c.lower()}.example",
            invoice_number=f"{c}-1",
            amount="5000",
            issue_date="2026-10-01",
            due_date="2026-11-01",
            **sydney,
        )
        for c in ("H", "K")
    ]
    import_invoices(engine, write_csv(tmp_path / "ledger.csv", rows), load_mapping())
    run = suggest(engine, runtime.policy, runtime.composer, FRIDAY_DIGEST, FRIDAY_DIGEST.date())
    assert {r.send_after for r in run.created} == {SYDNEY_MONDAY_OPENING}
    for created in run.created:
        assert decisions.approve(runtime.drafter(), created.id, "UAPPROVE1", FRIDAY_DIGEST).won
    not_yet = FRIDAY_DIGEST + timedelta(hours=1)
    assert deliver_due(engine, settings, "sender", now=not_yet).sent == []
    return settings, {r.numbers[0]: r.id for r in run.created}


def _reminder(engine: Engine, reminder_id: int) -> tuple[Reminder, Outbox]:
    with read_only(engine) as session:
        reminder = session.get(Reminder, reminder_id)
        outbox = session.exec(select(Outbox).where(Outbox.reminder_id == reminder_id)).one()
    assert reminder is not None
    return reminder, outbox


@pytest.mark.parametrize("door", list(DOORS))
def test_an_approved_reminder_waiting_for_business_hours_is_not_sent_once_overtaken(
    engine: Engine, tmp_path: Path, smtp: SmtpServer, door: str
) -> None:
    settings, reminders = _approved_for_monday(engine, tmp_path, smtp)
    chosen = DOORS[door]

    touched = chosen.record(engine, "H-1")

    assert touched.reminders == (reminders["H-1"],)  # its card now says it will not go
    report = deliver_due(engine, settings, "sender", now=SYDNEY_MONDAY_OPENING)
    assert report.sent == [reminders["K-1"]]  # another customer's goes as approved
    assert [m.message["To"] for m in smtp.received] == ["ap@k.example"]
    later = SYDNEY_MONDAY_OPENING + timedelta(days=3)
    assert deliver_due(engine, settings, "sender", now=later).touched == []
    reminder, outbox = _reminder(engine, reminders["H-1"])
    why = f"since its approval, {chosen.fact.format(number='H-1')}"
    assert (reminder.state, said(reminder.skip_reason), outbox.state) == (
        "cancelled",
        why,
        "cancelled",
    )
    assert _reminder(engine, reminders["K-1"])[0].state == "sent"
    _cancelled_by(engine, chosen.actor, reminders["H-1"], why)


def _cancelled_by(engine: Engine, actor: str, reminder_id: int, why: str) -> None:
    """The one cancellation in the audit trail (still verifiable) is `actor`'s, saying why."""
    with read_only(engine) as session:
        (event,) = session.exec(select(AuditEvent).where(AuditEvent.kind == "cancelled")).all()
        assert audit.verify(session).ok
    assert event.actor == actor
    assert json.loads(event.content) == {"reminder": reminder_id, "why": why}


def test_a_reminder_a_sender_holds_is_left_to_go_once(
    engine: Engine, tmp_path: Path, smtp: SmtpServer
) -> None:
    settings, reminders = _approved_for_monday(engine, tmp_path, smtp)
    claimed = claim(engine, "sender-1", SYDNEY_MONDAY_OPENING)  # on the wire, as far as we know
    assert len(claimed) == 2

    touched = disputes.open_dispute(engine, "H-1", "never delivered", "U1")

    assert touched.reminders == ()
    assert _reminder(engine, reminders["H-1"])[1].state == "pending"
    report = deliver_due(engine, settings, "sender-2", now=SYDNEY_MONDAY_OPENING + LEASE * 2)
    assert reminders["H-1"] in report.sent  # the lapsed claim's row, sent exactly once
    assert len([m for m in smtp.received if m.message["To"] == "ap@h.example"]) == 1


class RecordingMidSend(SmtpSender):
    """The real sender, while a person records `door`'s fact on H-1 just as its e-mail goes
    on the wire (the sender holds its row: the door leaves it)."""

    def __init__(self, settings: Settings, engine: Engine, door: Door):
        super().__init__(settings)
        self.engine, self.door, self.touched = engine, door, NOTHING

    def send(self, message: EmailMessage) -> None:
        if message["To"] == "ap@h.example" and self.touched == NOTHING:
            self.touched = self.door.record(self.engine, "H-1")
            assert self.touched.reminders == ()  # nothing to show yet: the sender holds it
        super().send(message)


@pytest.mark.parametrize("door", list(DOORS))
def test_a_row_released_for_retry_once_overtaken_is_stopped_by_the_sender(
    engine: Engine, tmp_path: Path, smtp: SmtpServer, door: str
) -> None:
    settings, reminders = _approved_for_monday(engine, tmp_path, smtp)
    chosen = DOORS[door]
    smtp.mode = "defer"  # both refused for now: to retry
    sender = RecordingMidSend(settings, engine, chosen)
    first = deliver_due(engine, settings, "sender", sender, now=SYDNEY_MONDAY_OPENING)
    assert sorted(first.retrying) == sorted(reminders.values())
    smtp.mode = "accept"

    retry = SYDNEY_MONDAY_OPENING + timedelta(hours=1)
    report = deliver_due(engine, settings, "sender", now=retry)

    assert report.cancelled == [reminders["H-1"]]
    assert report.sent == [reminders["K-1"]]  # another customer's goes as approved
    assert [m.message["To"] for m in smtp.received] == ["ap@k.example"]
    assert deliver_due(engine, settings, "sender", now=retry + timedelta(days=3)).touched == []
    reminder, outbox = _reminder(engine, reminders["H-1"])
    why = f"by the time it was to leave, {chosen.at_sending.format(number='H-1')}"
    assert (reminder.state, said(reminder.skip_reason), outbox.state) == (
        "cancelled",
        why,
        "cancelled",
    )
    _cancelled_by(engine, "relance", reminders["H-1"], why)
    runtime = build_runtime(settings, engine, clock=lambda: retry)
    card = json.dumps(reminder_card(load_view(runtime.drafter(), reminder.id or 0), MONDAY))
    assert f"Not sent: {why}" in card


def test_a_message_the_server_may_have_kept_goes_again_and_is_not_decided_again(
    engine: Engine, tmp_path: Path, smtp: SmtpServer
) -> None:
    """The line drops after H-1's e-mail went out: the server may have kept it, as it does
    here. A dispute recorded since does not make it "not sent": it goes again with the same
    Message-ID once its claim lapses, as a killed sender's would."""
    settings, reminders = _approved_for_monday(engine, tmp_path, smtp)
    smtp.mode = "drop"
    dropped = deliver_due(engine, settings, "sender", now=SYDNEY_MONDAY_OPENING)
    assert dropped.pause is not None and len(smtp.received) == 1  # H's, kept
    smtp.mode = "accept"

    assert disputes.open_dispute(engine, "H-1", "never delivered", "U1").reminders == ()
    after_pause = deliver_due(engine, settings, "sender", now=dropped.pause.until)
    after_lease = deliver_due(engine, settings, "sender", now=SYDNEY_MONDAY_OPENING + LEASE * 2)

    assert after_pause.sent == [reminders["K-1"]]
    assert after_lease.sent == [reminders["H-1"]] and after_lease.cancelled == []
    to_h = [m.message for m in smtp.received if m.message["To"] == "ap@h.example"]
    assert len(to_h) == 2 and to_h[0]["Message-ID"] == to_h[1]["Message-ID"]
    assert _reminder(engine, reminders["H-1"])[0].state == "sent"
