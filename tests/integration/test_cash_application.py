"""Bank statements applied to invoices, on both databases: statements built in each standard's
format (the camt ones valid against the ISO 20022 XSD), read by the real readers, matched and
recorded by the use case."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.channels.bank import read_statement
from bot.channels.bank.camt import schema
from bot.config import Settings
from bot.db import read_only
from bot.domain.creditor_reference import creditor_reference
from bot.domain.payment_matching import MatchPolicy
from bot.entry.composition import build_runtime
from bot.importing.mapping import load_mapping
from bot.models import AuditEvent, BankLine, CashApplication, Invoice, PayerIban, Reminder
from bot.services import audit, cash
from bot.services.common.context import Runtime
from bot.services.ledger.importing import import_invoices
from bot.services.reminders.suggestions import suggest
from tests.support.bank_files import Entry, camt053, mt940, ofx
from tests.support.csvfiles import line, write_csv
from tests.support.kept_text import said

TODAY = date(2026, 12, 1)
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def _ledger(engine: Engine, tmp_path: Path) -> None:
    def due(days: int) -> str:
        return (TODAY - timedelta(days=days)).isoformat()

    def invoice(customer: str, name: str, number: str, amount: str, **kw: str) -> dict[str, str]:
        return line(
            customer_id=customer,
            customer_name=name,
            invoice_number=number,
            amount=amount,
            amount_paid="0",
            due_date=due(20),
            issue_date=due(50),
            **kw,
        )

    rows = [
        invoice("C1", "Atelier Lefèvre", "FA-2026-0106", "1200.00"),
        invoice("C1", "Atelier Lefèvre", "FA-2026-0107", "300.00"),
        invoice("C1", "Atelier Lefèvre", "FA-2026-0108", "450.50"),
        invoice("C2", "Brasserie Van den Berg", "FB-2026-0001", "500.00"),
        invoice("C2", "Brasserie Van den Berg", "FB-2026-0002", "500.00"),
        invoice("C3", "Crane Ltd", "INV-77", "80.00", currency="GBP", country="GB"),
        invoice("C4", "Dyson Werke GmbH", "FD-9001", "250.00"),
    ]
    import_invoices(engine, write_csv(tmp_path / "ledger.csv", rows), load_mapping())


@pytest.fixture
def runtime(engine: Engine, tmp_path: Path) -> Runtime:
    _ledger(engine, tmp_path)
    return build_runtime(Settings(), engine, clock=lambda: NOW)


def _import(
    engine: Engine,
    runtime: Runtime,
    tmp_path: Path,
    data: bytes,
    name: str = "statement.xml",
    policy: MatchPolicy | None = None,
) -> cash.BankImport:
    path = tmp_path / name
    path.write_bytes(data)
    if name.endswith(".xml"):  # every camt statement written here is valid by the XSD
        assert schema("camt.053.001.02").validate(etree.fromstring(data))
    report = cash.import_statement(
        engine, read_statement(path), path, policy=policy or MatchPolicy()
    )
    cash.after_import(
        engine,
        report,
        composer=runtime.composer,
        policies=runtime.governing(),
        run_date=TODAY,
        actor="import",
    )
    return report


def _balance(engine: Engine, number: str) -> Decimal:
    with read_only(engine) as session:
        return session.exec(select(Invoice).where(Invoice.number == number)).one().balance


def _line(engine: Engine, reference: str) -> BankLine:
    with read_only(engine) as session:
        return session.exec(select(BankLine).where(BankLine.reference == reference)).one()


def test_an_rf_reference_pays_its_invoice_and_is_audited(
    engine: Engine, runtime: Runtime, tmp_path: Path
) -> None:
    rf = creditor_reference("FA-2026-0106")
    assert rf is not None
    report = _import(engine, runtime, tmp_path, camt053([Entry("1200.00", "E1", rf=rf)]))
    assert (report.applied, report.applied_total) == (1, {"EUR": Decimal("1200.00")})
    assert _balance(engine, "FA-2026-0106") == 0
    with read_only(engine) as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.kind == "cash_applied")).one()
    content = json.loads(event.content)
    assert (content["file"], content["entry"], content["rule"]) == ("statement.xml", "E1", 1)
    assert event.actor == "import"


def test_an_invoice_number_in_free_text_in_mt940(
    engine: Engine, runtime: Runtime, tmp_path: Path
) -> None:
    entries = [Entry("300.00", "M1", text="Rechnung fa 2026 0107 danke")]
    report = _import(engine, runtime, tmp_path, mt940(entries), "statement.sta")
    assert report.applied == 1
    assert _balance(engine, "FA-2026-0107") == 0


def test_one_payment_for_three_invoices_in_ofx(
    engine: Engine, runtime: Runtime, tmp_path: Path
) -> None:
    text = "FA-2026-0106 FA-2026-0107 FA-2026-0108"
    report = _import(engine, runtime, tmp_path, ofx([Entry("1950.50", "O1", text=text)]), "s.ofx")
    assert report.applied == 1
    assert [_balance(engine, n) for n in text.split()] == [0, 0, 0]
    with read_only(engine) as session:
        assert len(session.exec(select(CashApplication)).all()) == 3


def test_a_part_payment_leaves_the_rest_open(
    engine: Engine, runtime: Runtime, tmp_path: Path
) -> None:
    _import(engine, runtime, tmp_path, camt053([Entry("200.00", "P1", text="FA-2026-0106")]))
    assert _balance(engine, "FA-2026-0106") == Decimal("1000.00")


def test_an_overpayment_closes_the_invoice_and_keeps_the_surplus(
    engine: Engine, runtime: Runtime, tmp_path: Path
) -> None:
    report = _import(
        engine, runtime, tmp_path, camt053([Entry("1250.00", "P2", text="FA-2026-0106")])
    )
    assert _balance(engine, "FA-2026-0106") == 0
    assert report.unapplied == {"EUR": Decimal("50.00")}
    assert _line(engine, "P2").unapplied_minor == 5000


def test_two_candidates_go_to_a_person(engine: Engine, runtime: Runtime, tmp_path: Path) -> None:
    entries = [Entry("500.00", "T1", name="Brasserie Van den Berg", text="merci")]
    report = _import(engine, runtime, tmp_path, camt053(entries))
    assert report.applied == 0 and len(report.to_decide) == 1
    (view,) = cash.lines_to_decide(engine, report.statement_id)
    assert [c.number for c in view.candidates] == ["FB-2026-0001", "FB-2026-0002"]
    assert _balance(engine, "FB-2026-0001") == Decimal("500.00")


def test_a_name_match_is_suggested_not_applied(
    engine: Engine, runtime: Runtime, tmp_path: Path
) -> None:
    entries = [Entry("250.00", "N1", name="DYSON WERKE GMBH")]
    report = _import(engine, runtime, tmp_path, camt053(entries))
    assert (report.applied, report.suggested) == (0, 1)
    (view,) = cash.lines_to_decide(engine, report.statement_id)
    assert view.customer == "Dyson Werke GmbH"
    assert view.proposed == (("FD-9001", Decimal("250.00")),)
    assert _balance(engine, "FD-9001") == Decimal("250.00")


def test_an_iban_learnt_from_a_decision_suggests_the_next_payment(
    engine: Engine, runtime: Runtime, tmp_path: Path
) -> None:
    iban = "DE89370400440532013000"
    first = _import(
        engine, runtime, tmp_path, camt053([Entry("300.00", "K1", name="?", iban=iban)])
    )
    (line_id,) = first.to_decide  # an unknown payer
    decided = cash.apply_line(
        engine,
        line_id,
        "U1",
        composer=runtime.composer,
        run_date=TODAY,
        numbers=["FA-2026-0107"],
    )
    assert decided.won and decided.line.state == "applied"
    with read_only(engine) as session:
        learnt = session.exec(select(PayerIban)).one()
    assert (learnt.iban, learnt.learnt_by) == (iban, "U1")
    second = _import(
        engine,
        runtime,
        tmp_path,
        camt053([Entry("450.50", "K2", name="?", iban=iban)], msg_id="M2"),
        "second.xml",
    )
    assert second.suggested == 1
    (view,) = cash.lines_to_decide(engine, second.statement_id)
    assert view.proposed == (("FA-2026-0108", Decimal("450.50")),)


def test_another_currency_goes_to_a_person(
    engine: Engine, runtime: Runtime, tmp_path: Path
) -> None:
    report = _import(engine, runtime, tmp_path, camt053([Entry("80.00", "X1", text="INV-77")]))
    assert report.applied == 0 and len(report.to_decide) == 1
    assert "GBP" in _line(engine, "X1").why


def test_a_reversal_undoes_what_its_credit_applied(
    engine: Engine, runtime: Runtime, tmp_path: Path
) -> None:
    paid = Entry("300.00", "R1", text="FA-2026-0107", e2e="E2E-42")
    _import(engine, runtime, tmp_path, camt053([paid]))
    assert _balance(engine, "FA-2026-0107") == 0
    undo = Entry("300.00", "R2", credit=False, reversal=True, text="FA-2026-0107", e2e="E2E-42")
    report = _import(engine, runtime, tmp_path, camt053([undo], msg_id="M2"), "undo.xml")
    assert report.reversed == 1
    assert _balance(engine, "FA-2026-0107") == Decimal("300.00")
    assert _line(engine, "R1").state == "reversed"
    with read_only(engine) as session:
        assert session.exec(select(CashApplication)).one().undone_at is not None


def test_the_same_file_twice_applies_nothing_twice(
    engine: Engine, runtime: Runtime, tmp_path: Path
) -> None:
    data = camt053([Entry("200.00", "D1", text="FA-2026-0106"), Entry("10.00", text="?")])
    first = _import(engine, runtime, tmp_path, data)
    again = _import(engine, runtime, tmp_path, data)
    assert (first.applied, again.applied, again.already_imported) == (1, 0, 2)
    assert _balance(engine, "FA-2026-0106") == Decimal("1000.00")


def test_fees_and_debits_are_ignored(engine: Engine, runtime: Runtime, tmp_path: Path) -> None:
    report = _import(
        engine, runtime, tmp_path, camt053([Entry("9.90", "F1", credit=False, text="FA-2026-0106")])
    )
    assert (report.ignored, report.applied, report.to_decide) == (1, 0, ())
    assert _balance(engine, "FA-2026-0106") == Decimal("1200.00")


def test_a_payment_overtakes_the_suggestion_chasing_it(
    engine: Engine, runtime: Runtime, tmp_path: Path
) -> None:
    run = suggest(engine, runtime.policy, runtime.composer, NOW, TODAY)
    chasing = next(r for r in run.created if "FD-9001" in r.invoice_numbers)
    _import(engine, runtime, tmp_path, camt053([Entry("250.00", "V1", text="FD 9001")]))
    with read_only(engine) as session:
        reminder = session.get(Reminder, chasing.id)
    assert reminder is not None and reminder.state == "expired"
    assert "FD-9001 paid by bank transfer" in said(reminder.skip_reason)
    with read_only(engine) as session:  # the statement's events, stored together, still link
        kinds = session.exec(select(AuditEvent.kind).order_by(AuditEvent.seq)).all()
        assert audit.verify(session).ok
    assert kinds[-4:] == ["cash_applied", "expired", "bank_import", "suggested"]


def test_one_statement_overtakes_each_customers_suggestion_with_its_own_why(
    engine: Engine, runtime: Runtime, tmp_path: Path
) -> None:
    run = suggest(engine, runtime.policy, runtime.composer, NOW, TODAY)
    chasing = {
        number: r.id
        for r in run.created
        for number in ("FD-9001", "FA-2026-0107")
        if number in r.invoice_numbers
    }
    entries = [Entry("250.00", "W1", text="FD 9001"), Entry("300.00", "W2", text="FA-2026-0107")]
    _import(engine, runtime, tmp_path, camt053(entries))
    with read_only(engine) as session:
        why = {n: session.get(Reminder, key) for n, key in chasing.items()}
    assert {n: (r.state, said(r.skip_reason)) for n, r in why.items() if r is not None} == {
        "FD-9001": ("expired", "no longer holds: FD-9001 paid by bank transfer"),
        "FA-2026-0107": ("expired", "no longer holds: FA-2026-0107 paid by bank transfer"),
    }


def test_not_a_payment_is_decided_once(engine: Engine, runtime: Runtime, tmp_path: Path) -> None:
    report = _import(engine, runtime, tmp_path, camt053([Entry("12.00", "U1", name="Zebra")]))
    (line_id,) = report.to_decide
    first = cash.not_a_payment(engine, line_id, "U1")
    second = cash.apply_line(
        engine, line_id, "U2", composer=runtime.composer, run_date=TODAY, numbers=["FD-9001"]
    )
    assert first.won and not second.won
    assert second.line.decided_by == "U1" and second.line.state == "not_payment"
    assert _balance(engine, "FD-9001") == Decimal("250.00")


def test_the_digest_shows_cash_collected_and_unapplied(
    engine: Engine, runtime: Runtime, tmp_path: Path
) -> None:
    from bot.services.overview.digest import build_digest
    from bot.slack.blocks.digest import digest_blocks

    entries = [
        Entry("1250.00", "G1", text="FA-2026-0106"),  # 50.00 over: unapplied credit
        Entry("77.00", "G2", name="Zebra"),  # unknown payer: waiting for a person
    ]
    _import(engine, runtime, tmp_path, camt053(entries))
    digest = build_digest(engine, TODAY, "CDIGEST")
    assert digest.cash_collected["EUR"].amount == Decimal("1200.00")
    assert digest.cash_unapplied["EUR"].amount == Decimal("127.00")
    text = str(digest_blocks(digest))
    assert "Cash collected* since the last digest: €1,200.00" in text
    assert "€127.00" in text


def test_a_ledger_still_showing_a_paid_invoice_open_is_a_discrepancy_not_a_chase(
    engine: Engine, runtime: Runtime, tmp_path: Path
) -> None:
    _import(engine, runtime, tmp_path, camt053([Entry("250.00", "L1", text="FD-9001")]))
    _ledger(engine, tmp_path)  # the same ledger again: FD-9001 still unpaid in it
    assert _balance(engine, "FD-9001") == 0  # the bank's evidence holds
    with read_only(engine) as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.kind == "cash_discrepancy")).one()
    assert event.invoice_numbers == "FD-9001"
    assert json.loads(event.content) == {"ledger_paid_minor": 0, "applied_minor": 25000}
    assert "FD-9001" not in [
        r.invoice_numbers
        for r in suggest(engine, runtime.policy, runtime.composer, NOW, TODAY).created
    ]


def test_a_promise_is_kept_the_same_morning_the_bank_pays_it(
    engine: Engine, runtime: Runtime, tmp_path: Path
) -> None:
    from bot.models import Promise
    from bot.services.accounts.promises import record_promise

    record_promise(engine, "FD-9001", TODAY + timedelta(days=5), None, "U1", TODAY)
    _import(engine, runtime, tmp_path, camt053([Entry("250.00", "PK1", text="FD-9001")]))
    with read_only(engine) as session:
        assert session.exec(select(Promise)).one().state == "kept"


def test_the_customers_account_shows_the_bank_payments(
    engine: Engine, runtime: Runtime, tmp_path: Path
) -> None:
    from bot.services.accounts.account import account
    from bot.slack.blocks.account import account_blocks
    from tests.support.blockkit import check_message

    _import(engine, runtime, tmp_path, camt053([Entry("250.00", "AC1", text="FD-9001")]))
    shown = account(engine, "C4", TODAY)
    (payment,) = shown.payments
    assert (payment.number, payment.amount.amount, payment.undone) == (
        "FD-9001",
        Decimal("250.00"),
        False,
    )
    blocks = account_blocks(shown, "en_GB")
    check_message(blocks)
    assert "`FD-9001` €250.00 by bank transfer" in str(blocks)


def test_an_ofx_delete_correction_reverses_the_payment(
    engine: Engine, runtime: Runtime, tmp_path: Path
) -> None:
    _import(engine, runtime, tmp_path, ofx([Entry("300.00", "OF1", text="FA-2026-0107")]), "a.ofx")
    assert _balance(engine, "FA-2026-0107") == 0
    correction = ofx([Entry("300.00", "OF2", text="x")]).replace(
        b"<FITID>OF2</FITID>",
        b"<FITID>OF2</FITID><CORRECTFITID>OF1</CORRECTFITID><CORRECTACTION>DELETE</CORRECTACTION>",
    )
    report = _import(engine, runtime, tmp_path, correction, "b.ofx")
    assert report.reversed == 1
    assert _balance(engine, "FA-2026-0107") == Decimal("300.00")


def test_the_health_figures_count_bank_lines_applied_and_waiting(
    engine: Engine, runtime: Runtime, tmp_path: Path
) -> None:
    from bot.services.operations.health import figures

    rf = creditor_reference("FA-2026-0106")
    assert rf is not None
    entries = [
        Entry("1200.00", "H1", rf=rf),  # applied by its reference
        Entry("999.99", "H2", name="Somebody Unknown"),  # a person decides
    ]
    _import(engine, runtime, tmp_path, camt053(entries))
    with read_only(engine) as session:
        seen = figures(session, NOW)
    assert (seen.bank_lines_applied, seen.bank_lines_waiting) == (1, 1)


def test_an_mt940_file_of_two_accounts_stores_each_line_under_its_own(
    engine: Engine, runtime: Runtime, tmp_path: Path
) -> None:
    """BNP Paribas's two statements in one file (tests/fixtures/bank/SOURCES.md) bear the same
    bank reference: two entries of two accounts, each stored once under its own; the file
    imported again stores nothing."""
    sample = Path(__file__).parent.parent / "fixtures/bank/mt940-jejik-paribas-two-accounts.sta"
    first = _import(engine, runtime, tmp_path, sample.read_bytes(), "paribas.sta")
    again = _import(engine, runtime, tmp_path, sample.read_bytes(), "paribas.sta")
    with read_only(engine) as session:
        stored = sorted((x.account, x.reference) for x in session.exec(select(BankLine)))
    assert stored == [
        ("12345678/0123456789EUR", "TB-CA-TB001ZQ0"),
        ("51210600/3023166036EUR", "TB-CA-TB001ZQ0"),
    ]
    assert (first.lines, first.already_imported, first.ignored) == (2, 0, 2)
    assert (again.already_imported, again.ignored) == (2, 0)
