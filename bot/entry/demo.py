"""`relance demo`: the whole flow on the bundled sample ledger, in the terminal, offline."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bot.channels.email import message_id
from bot.config import Settings
from bot.db import make_engine, read_only, unit_of_work, upgrade
from bot.domain.inbound import Kind
from bot.entry import terminal
from bot.entry.composition import build_runtime, next_business_morning
from bot.entry.sample_data import write_sample_invoices
from bot.entry.sample_data.history import seed_history
from bot.entry.sample_data.inbound import DEMO_MX, sample_message
from bot.importing.mapping import load_mapping
from bot.models import AuditEvent, Customer, Outbox
from bot.rendering.locale import staff_date
from bot.services import audit
from bot.services.common.context import Runtime
from bot.services.common.queries import id_of
from bot.services.inbox import mailbox as inbox
from bot.services.inbox import posting
from bot.services.ledger.aging_report import aging_report
from bot.services.ledger.importing import import_invoices
from bot.services.overview.morning import prepare
from bot.services.overview.reminder_view import load_view, load_views
from bot.services.reminders import decisions
from bot.services.reminders.suggestions import Suggested
from bot.web.snapshot import with_demo_page, write_page


def run_demo(settings: Settings, workdir: Path) -> int:
    workdir.mkdir(parents=True, exist_ok=True)
    database = workdir / "demo.sqlite"
    for leftover in workdir.glob("demo.sqlite*"):
        leftover.unlink()
    engine = make_engine(f"sqlite:///{database}")
    upgrade(engine)
    runtime = build_runtime(settings, engine)
    with_demo_page(runtime)  # so the reminders carry the page link too
    now = next_business_morning(datetime.now(UTC).astimezone().date(), settings)
    today = now.date()

    _import_sample(engine, settings, workdir, today)

    with unit_of_work(engine) as session:
        aging = aging_report(session, today, top=5)
    print(terminal.heading(f"2. Aging on {staff_date(today, settings.locale, 'full')}"))
    print("\n".join(terminal.aging_lines(aging, settings.locale)))
    print(terminal.heading("Largest overdue balances (per currency)"))
    print("\n".join(terminal.top_overdue_lines(aging, settings.locale)))

    morning = prepare(runtime, now, "demo", actor="demo")
    print(terminal.heading(f"3. Today's suggested reminders ({now:%H:%M %Z})"))
    print("\n".join(terminal.decision_lines(morning.decisions)))

    shown = next((r for r in morning.created if r.stage == "final"), morning.created[0])
    view = load_view(runtime.drafter(), shown.id)  # written now, as when its card is opened
    print(terminal.heading("One suggested reminder, in full"))
    print("\n".join(terminal.reminder_lines(view)))

    print(terminal.heading("4. The digest posted to Slack (its figures)"))
    print("\n".join(terminal.digest_lines(morning.digest, settings.locale)))

    _approve_twice(runtime, shown.id, view.customer_email, now)

    _listening(runtime, morning.created, shown, now)

    _audit_trail(engine)
    show_customer_page(runtime, workdir, database)
    print(
        f"\nDemo database: {database} — try `DATABASE_URL=sqlite:///{database} "
        "relance audit export`"
    )
    return 0


def _import_sample(engine: Engine, settings: Settings, workdir: Path, today: date) -> None:
    """Step 1: the sample ledger written and imported, and some history seeded."""
    sample = workdir / "sample-invoices.csv"
    write_sample_invoices(sample, today)
    print(terminal.heading(f"1. Importing the sample ledger ({sample})"))
    report = import_invoices(
        engine,
        sample,
        load_mapping("relance"),
        actor="demo",
        fallback_timezone=settings.timezone,
        today=today,  # the demo's clock: on a weekend, the next business day
    )
    print("\n".join(terminal.import_lines(report)))
    with unit_of_work(engine) as session:
        seed_history(session, today)


def _approve_twice(runtime: Runtime, reminder_id: int, email: str, now: datetime) -> None:
    """Step 5: two approvers click at the same moment; one wins, one e-mail is queued."""
    print(terminal.heading("5. Two people click Approve on that card at the same moment"))
    first = decisions.approve(runtime.drafter(), reminder_id, "U-CAMILLE", now=now)
    second = decisions.approve(runtime.drafter(), reminder_id, "U-SAMIR", now=now)
    print(
        f"Camille: {'approved' if first.won else 'too late'}; Samir: "
        f"{'approved' if second.won else 'told it was already approved by Camille'}."
    )
    with unit_of_work(runtime.engine) as session:
        queued = session.exec(select(Outbox).where(col(Outbox.reminder_id) == reminder_id)).one()
    print(
        f"One e-mail queued for {email}, not before "
        f"{queued.next_attempt_at:%Y-%m-%d %H:%M} UTC (the customer's business hours); "
        "`relance send` or the running app delivers it through SMTP_HOST."
    )


def _audit_trail(engine: Engine) -> None:
    """Step 7: the last events of the audit trail, and the chain verified."""
    print(terminal.heading("7. The audit trail (append-only, hash-chained)"))
    with read_only(engine) as session:
        events = session.exec(
            select(AuditEvent).order_by(col(AuditEvent.seq).desc()).limit(6)
        ).all()
        chain = audit.verify(session)
    print("\n".join(terminal.audit_lines(list(reversed(events)))))
    print(
        f"relance audit verify: {chain.checked} events, "
        f"{'chain intact' if chain.ok else 'BROKEN at #' + str(chain.broken_seq)}"
    )


def show_customer_page(runtime: Runtime, workdir: Path, database: Path) -> None:
    """Step 8: the page the first late customer's link opens, written to a file."""
    print(terminal.heading("8. The customer's page (the link in every reminder)"))
    with read_only(runtime.engine) as session:
        customer = session.exec(select(Customer).order_by(col(Customer.id))).first()
    assert customer is not None  # the demo imported its sample customers in step 1
    out = workdir / "customer-page.html"
    url = write_page(runtime, id_of(customer), out)
    settings = runtime.settings
    print(f"{customer.name}'s page: {out}")
    print(f"Its link: {url}")
    print(
        f"Serve it locally: DATABASE_URL=sqlite:///{database} "
        f"RELANCE_PAGE_SECRET={settings.page_secret} RELANCE_PUBLIC_URL={settings.public_url} "
        f"relance page --port {settings.public_url.rsplit(':', 1)[1]}"
    )


def _listening(runtime: Runtime, created: list[Suggested], shown: Suggested, now: datetime) -> None:
    """Three answers from the reply mailbox, handled by the very code that handles what IMAP
    reads (the demo has no mail server: the bundled messages stand in for its bytes)."""
    engine = runtime.engine
    settings = replace(  # trusting the demo's receiving server, as MAIL_AUTHSERV_IDS would
        runtime.settings,
        mail_token_secret=runtime.settings.mail_token_secret or runtime.settings.page_secret,
        mail_authserv_ids=(DEMO_MX,),
    )
    print(terminal.heading("6. The reply mailbox: a reply, a bounce, an out-of-office answer"))
    others = [r for r in created if r.customer_id != shown.customer_id and r.channel == "email"]
    listening = replace(inbox.Listening.of(settings), dkim=None)  # no DNS asked in a demo
    ids = [shown.id, *(r.id for r in others[:2])]  # the reply answers the reminder shown
    views = {v.id: v for v in load_views(runtime.drafter(), ids)}
    cases = zip(
        (Kind.REPLY, Kind.BOUNCE, Kind.OUT_OF_OFFICE), [views[i] for i in ids], strict=False
    )
    for uid, (name, reminder) in enumerate(cases, start=1):
        raw = sample_message(
            name,
            contact=reminder.contact_name or reminder.customer_name,
            email=reminder.customer_email,
            subject=reminder.subject,
            message_id=message_id(reminder.id, settings),
            back_on=now.date() + timedelta(days=12),
        )
        inbox.record(engine, "demo-mailbox/INBOX", 1, uid, raw, now, listening)
    for view in posting.claim_unposted(
        engine, now, settings.digest_channel or "the digest channel"
    ):
        print("\n".join(terminal.inbound_lines(view)))
