"""Inbox: messages handled per second from a reply mailbox of 5,000, against a bare IMAP read.

A real Dovecot (started as the tests start it) holds 5,000 messages: replies threaded to a
reminder, replies matched by sender, hard bounces and out-of-office answers, over 1,000
customers. Relance's `fetch_mail` reads, parses, matches, classifies, records (with its audit
event and hold) and moves each one. The baseline, in the same run and against the same
server, only reads the messages' bytes and moves them, as many per round trip — the IMAP work
alone.

Usage: python -m bench.inbox_bench [messages]
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from datetime import UTC, date, datetime

import sqlalchemy as sa

from bench.databases import fresh, print_table
from bot.channels.email import message_id
from bot.channels.imap import connect
from bot.config import Settings
from bot.db import make_engine, unit_of_work
from bot.models import Customer, Invoice, Reminder, ReminderInvoice
from bot.services.inbox.mailbox import BATCH, Listening, fetch_mail
from tests.support.imap_server import ImapServer, running_dovecot
from tests.support.mail_samples import hard_bounce, reply

CUSTOMERS = 1_000
MAIL_FROM = "Relance <ar@relance.example>"
SETTINGS = Settings(mail_from=MAIL_FROM, mail_token_secret="bench-secret")
LISTENING = replace(Listening.of(SETTINGS), dkim=None)  # unsigned messages: no DNS asked
NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)


def _settings(imap: ImapServer, done: str) -> Settings:
    return Settings(
        mail_from=MAIL_FROM,
        imap_host=imap.host,
        imap_port=imap.port,
        imap_security="none",
        imap_user=imap.user,
        imap_password=imap.password,
        imap_done_folder=done,
    )


def _ledger(url: str) -> None:
    engine = make_engine(url)
    with unit_of_work(engine) as session:
        session.execute(
            sa.insert(Customer),
            [
                {
                    "external_id": f"C{n}",
                    "name": f"Customer {n}",
                    "email": f"ap@customer{n}.example",
                    "country": "FR",
                    "timezone": "Europe/Paris",
                    "currency": "EUR",
                }
                for n in range(CUSTOMERS)
            ],
        )
        ids = session.execute(sa.select(Customer.id).order_by(Customer.id)).scalars().all()
        session.execute(
            sa.insert(Invoice),
            [
                {
                    "number": f"F-{customer_id}",
                    "customer_id": customer_id,
                    "currency": "EUR",
                    "amount_minor": 100_00,
                    "issue_date": date(2026, 10, 1),
                    "due_date": date(2026, 10, 31),
                }
                for customer_id in ids
            ],
        )
        session.execute(
            sa.insert(Reminder),
            [
                {
                    "customer_id": customer_id,
                    "run_date": date(2026, 11, 20),
                    "stage": "friendly",
                    "channel": "email",
                    "language": "en",
                    "state": "sent",
                }
                for customer_id in ids
            ],
        )
        reminders = session.execute(sa.select(Reminder.id, Reminder.customer_id)).all()
        session.execute(
            sa.insert(ReminderInvoice),
            [
                dict(zip(ReminderInvoice.COLUMNS, row, strict=True))
                for r in reminders
                for row in ReminderInvoice.rows(r.id, [f"F-{r.customer_id}"])
            ],
        )
    engine.dispose()


def _messages(count: int) -> list[bytes]:
    """Reminder ids follow customer ids (1..CUSTOMERS) in a fresh database."""
    out = []
    for n in range(count):
        customer = n % CUSTOMERS
        sender = f"ap@customer{customer}.example"
        mid = message_id(customer + 1, SETTINGS)
        kind = n % 10
        if kind < 4:
            raw = reply(sender=sender, in_reply_to=mid, text=f"Reply {n}\n\n> quoted").as_bytes()
        elif kind < 8:
            raw = reply(sender=sender, subject=f"Question {n}", text=f"Question {n}").as_bytes()
        elif kind == 8:
            raw = hard_bounce(sender, mid)
        else:
            raw = reply(
                sender=sender,
                subject="Out of office",
                text="I am out of the office until 7 December 2026.",
                headers={"Auto-Submitted": "auto-replied"},
            ).as_bytes()
        out.append(raw)
    return out


def _fill(imap: ImapServer, messages: list[bytes]) -> None:
    imap.empty()
    with imap.client() as client:
        for start in range(0, len(messages), 500):
            client.multiappend("INBOX", messages[start : start + 500])


def _baseline(imap: ImapServer) -> None:
    with connect(_settings(imap, "Baseline")) as mailbox:
        uids = mailbox.waiting().uids
        for start in range(0, len(uids), BATCH):
            chunk = list(uids[start : start + BATCH])
            mailbox.read(chunk)
            mailbox.move_done(chunk)


def main(count: int = 5_000) -> None:
    messages = _messages(count)
    rows = []
    with running_dovecot() as imap:
        _fill(imap, messages)
        start = time.perf_counter()
        _baseline(imap)
        bare = time.perf_counter() - start
        for backend in ("sqlite", "postgresql"):
            url = fresh(backend, "inbox")
            _ledger(url)
            _fill(imap, messages)
            engine = make_engine(url)
            start = time.perf_counter()
            with connect(_settings(imap, "Handled")) as mailbox:
                report = fetch_mail(engine, mailbox, NOW, LISTENING)
            took = time.perf_counter() - start
            engine.dispose()
            assert len(report.handled) == count and not report.failed, report.failed[:3]
            rows.append(
                [
                    backend,
                    f"{count:,}",
                    f"{took:.1f} s",
                    f"{count / took:,.0f}/s",
                    f"{count / bare:,.0f}/s",
                    f"{took / bare:.1f}×",
                ]
            )
    print_table(
        f"Inbox: {count:,} messages read, matched, classified, recorded and moved",
        ["backend", "messages", "Relance", "handled", "bare IMAP read+move", "ratio"],
        rows,
    )


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
