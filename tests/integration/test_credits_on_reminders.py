"""A credit note in the customer's favour appears on their reminder and is netted from the total
of its currency; it is never chased, and a credit in another currency is not netted."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.entry.composition import build_runtime, next_business_morning
from bot.importing.mapping import load_mapping
from bot.services.ledger.importing import import_invoices
from bot.services.reminders.suggestions import suggest
from tests.support.csvfiles import line, write_csv
from tests.support.drafts import written


def test_a_credit_note_is_shown_and_netted_on_the_reminder(engine: Engine, tmp_path: Path) -> None:
    now = next_business_morning(date(2026, 11, 25), Settings())
    today = now.date()
    due, issued = (today - timedelta(days=d) for d in (20, 50))
    rows = [
        line(
            invoice_number="F-1",
            amount="1000",
            due_date=due.isoformat(),
            issue_date=issued.isoformat(),
        ),
        line(
            invoice_number="AV-1",
            amount="-150",
            due_date=due.isoformat(),
            issue_date=issued.isoformat(),
        ),
        line(  # a pound credit does not reduce a euro debt
            invoice_number="AV-2",
            currency="GBP",
            amount="-20",
            due_date=due.isoformat(),
            issue_date=issued.isoformat(),
        ),
    ]
    import_invoices(engine, write_csv(tmp_path / "ledger.csv", rows), load_mapping())
    runtime = build_runtime(Settings(), engine, clock=lambda: now)
    (reminder,) = written(
        runtime, suggest(engine, runtime.policy, runtime.composer, now, today).created
    )
    assert reminder.invoice_numbers == "F-1"  # the credit notes are never chased
    assert "Avoir en votre faveur : AV-1 (150,00\u00a0€)" in reminder.body_text
    assert "Total après cet avoir : 850,00\u00a0€" in reminder.body_text
    assert "AV-2" not in reminder.body_text
    assert "AV-1 (150,00\u00a0€)" in reminder.body_html and "850,00\u00a0€" in reminder.body_html


def test_a_xero_overpayment_is_netted_on_the_reminder_never_chased(
    engine: Engine, tmp_path: Path
) -> None:
    now = next_business_morning(date(2026, 11, 25), Settings())
    today = now.date()
    export = tmp_path / "xero.csv"
    export.write_text(
        "ContactName,EmailAddress,POCountry,InvoiceNumber,InvoiceDate,DueDate,Total,"
        "InvoiceAmountPaid,InvoiceAmountDue,Currency,Type,Status\n"
        "Baker Bros Pty,ap@bakerbros.example,United Kingdom,INV-0105,10/09/2026,10/10/2026,"
        "330.00,0.00,330.00,GBP,Sales invoice,Awaiting Payment\n"
        "Baker Bros Pty,ap@bakerbros.example,United Kingdom,,14/10/2026,14/10/2026,"
        "75.00,0.00,75.00,GBP,RECEIVE-OVERPAYMENT,AUTHORISED\n",
        encoding="utf-8",
    )
    import_invoices(engine, export, load_mapping("xero"))
    runtime = build_runtime(Settings(), engine, clock=lambda: now)
    (reminder,) = written(
        runtime, suggest(engine, runtime.policy, runtime.composer, now, today).created
    )
    assert reminder.invoice_numbers == "INV-0105"
    assert "RECEIVE-OVERPAYMENT 2026-10-14" in reminder.body_text
    assert "£255.00" in reminder.body_text  # 330.00 less the 75.00 overpayment
