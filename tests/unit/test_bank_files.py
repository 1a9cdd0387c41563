"""Reading bank statements: the published samples of each format (sources beside the files in
tests/fixtures/bank/SOURCES.md) and statements built in the standards' formats."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from bot.channels.bank import BankFileError, common, is_bank_file, read_statement
from bot.channels.bank import camt as camt_reader
from bot.importing.mapping import BANK_MAPPINGS_DIR, available_mappings, load_mapping
from tests.support.bank_files import Entry, camt053, mt940, ofx

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "bank"


def _file(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- published samples ---------------------------------------------------------------------


def test_camt053_v2_sample_is_read_with_its_debtor_and_reference() -> None:
    statement = read_statement(SAMPLES / "genkgo-camt053.v2.minimal.xml")
    assert statement.format == "camt.053"
    assert statement.account == "NL26VAYB8060476890"
    (line,) = statement.lines
    assert (line.amount, line.currency, line.credit) == (Decimal("8.85"), "EUR", True)
    assert line.booked == date(2014, 12, 31)
    assert line.payer_name == "NAME NAME"
    assert line.payer_iban == "NL56AGDH9619008421"
    assert "4654654654654654" in line.remittance
    assert line.reference.startswith("sha256:")  # the sample gives no AcctSvcrRef


def test_camt053_v8_sample_takes_the_banks_entry_reference() -> None:
    (line,) = read_statement(SAMPLES / "genkgo-camt053.v8.xml").lines
    assert line.reference == "AAAASESS-FP-CN_98765/01"
    assert line.end_to_end == "MUELL/FINP/RA12345"


def test_camt054_v8_sample_batch_gives_one_line_per_transaction() -> None:
    statement = read_statement(SAMPLES / "genkgo-camt054.v8.xml")
    assert statement.format == "camt.054"
    assert [line.amount for line in statement.lines] == [
        Decimal("3.1"),
        Decimal("3.2"),
        Decimal("3.2"),
    ]
    assert len({line.reference for line in statement.lines}) == 3


def test_camt053_sample_missing_its_statement_is_refused_by_the_schema() -> None:
    with pytest.raises(BankFileError) as refused:
        read_statement(SAMPLES / "genkgo-camt053.v2.wrong.xml")
    assert "line 3" in str(refused.value)
    assert "Stmt" in str(refused.value)


def test_mt940_sample_reads_every_entry_and_its_reversal_free_marks() -> None:
    statement = read_statement(SAMPLES / "mt940-betterplace-sepa_snippet.sta")
    assert statement.format == "mt940"
    assert len(statement.lines) == 11
    first = statement.lines[0]
    assert first.reference == "0724710333343453"
    assert first.amount == Decimal("50990.05") and first.credit
    assert first.payer_iban == "DE14508800500194785000"
    assert first.payer_name == "KARL KAUFMANN"
    assert isinstance(first.booked, date) and first.booked == date(2007, 9, 4)
    # an entry with NONREF and no bank reference still gets a reference of its own
    assert all(line.reference for line in statement.lines)
    # the snippet holds the statements of two accounts: each entry keeps its own
    assert statement.accounts == ("50880050/0194787400888", "50880050/0194791600888")
    assert first.account == "50880050/0194787400888"


def test_mt940_file_of_two_accounts_is_split_per_account() -> None:
    """The same bank reference on two accounts' statements is two entries, not a broken file."""
    statement = read_statement(SAMPLES / "mt940-jejik-paribas-two-accounts.sta")
    assert statement.accounts == ("12345678/0123456789EUR", "51210600/3023166036EUR")
    assert [(x.position, x.account, x.reference) for x in statement.lines] == [
        (6, "12345678/0123456789EUR", "TB-CA-TB001ZQ0"),
        (17, "51210600/3023166036EUR", "TB-CA-TB001ZQ0"),
    ]
    assert all(not x.credit and x.amount == Decimal("10.00") for x in statement.lines)


def test_mt940_one_account_statement_keeps_its_lines_on_the_statements_account(
    tmp_path: Path,
) -> None:
    path = _file(tmp_path, "one.sta", mt940(ENTRIES))
    statement = read_statement(path)
    assert len(statement.accounts) == 1 and all(not x.account for x in statement.lines)


def test_ofx_sample_debits_are_read_as_money_out() -> None:
    statement = read_statement(SAMPLES / "ofxtools-stmtrs.ofx")
    assert statement.format == "ofx"
    assert [(line.reference, line.amount, line.credit) for line in statement.lines] == [
        ("00002", Decimal("200.00"), False),
        ("00003", Decimal("300.00"), False),
    ]
    assert {line.currency for line in statement.lines} == {"USD"}


def test_samples_are_recognised_as_bank_files_and_a_ledger_is_not(tmp_path: Path) -> None:
    assert all(is_bank_file(p) for p in SAMPLES.glob("*.*") if p.suffix != ".md")
    ledger = _file(tmp_path, "invoices.csv", b"customer_id,customer_name\n1,Acme\n")
    assert not is_bank_file(ledger)


# --- statements built in the standards' formats --------------------------------------------

ENTRIES = [
    Entry("1200.00", "REF-1", name="Acme SARL", iban="DE89370400440532013000", text="FA-1"),
    Entry("35.50", "REF-2", credit=False, text="Frais"),
    Entry("99.00", "REF-3", rf="RF04FA20260106"),
]


def test_built_camt053_is_valid_against_the_published_xsd() -> None:
    schema = camt_reader.schema("camt.053.001.02")
    document = etree.fromstring(camt053([*ENTRIES, Entry("10.00", "R", reversal=True)]))
    assert schema.validate(document), schema.error_log


@pytest.mark.parametrize("build,name", [(camt053, "s.xml"), (mt940, "s.sta"), (ofx, "s.ofx")])
def test_each_format_gives_the_same_lines(tmp_path: Path, build, name) -> None:  # type: ignore[no-untyped-def]
    lines = read_statement(_file(tmp_path, name, build(ENTRIES))).lines
    assert [(line.reference, line.amount, line.credit) for line in lines] == [
        ("REF-1", Decimal("1200.00"), True),
        ("REF-2", Decimal("35.50"), False),
        ("REF-3", Decimal("99.00"), True),
    ]
    assert "FA-1" in lines[0].remittance
    assert "RF04FA20260106" in lines[2].remittance
    assert lines[0].payer_name == "Acme SARL"


@pytest.mark.parametrize("build,name", [(camt053, "r.xml"), (mt940, "r.sta")])
def test_reversal_marks_are_read(tmp_path: Path, build, name) -> None:  # type: ignore[no-untyped-def]
    entries = [Entry("50.00", "A"), Entry("50.00", "B", credit=False, reversal=True)]
    first, undo = read_statement(_file(tmp_path, name, build(entries))).lines
    assert first.is_payment_in and not first.reversal
    assert undo.reverses_payment_in  # camt RvslInd on a debit; MT940 "RC"


def test_the_same_file_read_twice_gives_the_same_references(tmp_path: Path) -> None:
    entries = [Entry("10.00"), Entry("10.00")]  # no bank reference, twice the same transfer
    path = _file(tmp_path, "s.xml", camt053(entries))
    first = [line.reference for line in read_statement(path).lines]
    assert first == [line.reference for line in read_statement(path).lines]
    assert len(set(first)) == 2


def test_a_control_character_names_its_entry(tmp_path: Path) -> None:
    path = _file(tmp_path, "s.sta", mt940([Entry("10.00", "A", name="Evil\x07Corp")]))
    with pytest.raises(BankFileError) as refused:
        read_statement(path)
    assert "line 5, column 'payer': holds a control character" in str(refused.value)


def test_an_oversized_file_is_refused_before_it_is_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(common, "MAX_BYTES", 100)
    with pytest.raises(BankFileError, match="at most 100"):
        read_statement(_file(tmp_path, "s.xml", camt053(ENTRIES)))


def test_an_external_entity_is_never_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    xml = (
        camt053([Entry("10.00", "A", text="X")])
        .replace(
            b'<?xml version="1.0" encoding="UTF-8"?>',
            f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file://{secret}">]>'.encode(),
        )
        .replace(b"<Ustrd>X</Ustrd>", b"<Ustrd>&x;</Ustrd>")
    )
    with pytest.raises(BankFileError, match="DOCTYPE") as refused:
        read_statement(_file(tmp_path, "s.xml", xml))
    assert "TOPSECRET" not in str(refused.value)


def test_an_unsupported_camt_version_is_refused(tmp_path: Path) -> None:
    xml = camt053(ENTRIES).replace(b"camt.053.001.02", b"camt.053.001.99")
    with pytest.raises(BankFileError, match=r"camt\.053\.001\.99: Relance reads"):
        read_statement(_file(tmp_path, "s.xml", xml))


def test_a_bad_amount_in_mt940_is_named(tmp_path: Path) -> None:
    path = _file(tmp_path, "s.sta", mt940([Entry("10.001", "A")]))
    with pytest.raises(BankFileError, match="line 5, column 'amount'"):
        read_statement(path)


# --- CSV exports through the ledger's mapping format ---------------------------------------


def test_bank_mappings_are_bundled_and_valid() -> None:
    names = available_mappings(BANK_MAPPINGS_DIR)
    assert {"sparkasse", "barclays", "boursorama", "santander_es"} <= set(names)
    for name in names:
        assert load_mapping(name, bank=True).required == ("booking_date", "currency")


SPARKASSE = (
    '"Auftragskonto";"Buchungstag";"Valutadatum";"Buchungstext";"Verwendungszweck";'
    '"Glaeubiger ID";"Mandatsreferenz";"Kundenreferenz (End-to-End)";"Sammlerreferenz";'
    '"Lastschrift Ursprungsbetrag";"Auslagenersatz Ruecklastschrift";'
    '"Beguenstigter/Zahlungspflichtiger";"Kontonummer/IBAN";"BIC (SWIFT-Code)";"Betrag";'
    '"Waehrung";"Info"\r\n'
    '"DE89370400440532013000";"01.12.26";"01.12.26";"GUTSCHR. UEBERWEISUNG";"Rechnung FA-7";'
    '"";"";"NOTPROVIDED";"";"";"";"Müller GmbH";"DE02120300000000202051";"BYLADEM1001";'
    '"1.250,00";"EUR";"Umsatz gebucht"\r\n'
    '"DE89370400440532013000";"02.12.26";"02.12.26";"ENTGELT";"Kontoführung";'
    '"";"";"";"";"";"";"";"";"";"-9,90";"EUR";"Umsatz gebucht"\r\n'
    '"DE89370400440532013000";"03.12.26";"03.12.26";"GUTSCHR. UEBERWEISUNG";"vorgemerkt";'
    '"";"";"";"";"";"";"X";"";"";"5,00";"EUR";"Umsatz vorgemerkt"\r\n'
)


def test_sparkasse_export_is_read_through_its_mapping(tmp_path: Path) -> None:
    path = _file(tmp_path, "umsaetze.csv", SPARKASSE.encode("cp1252"))
    statement = read_statement(path, mapping=load_mapping("sparkasse", bank=True))
    assert statement.format == "csv:sparkasse"
    assert statement.account == "DE89370400440532013000"
    paid, fee = statement.lines  # the pending entry is not booked yet
    assert (paid.amount, paid.credit, paid.payer_name) == (Decimal("1250.00"), True, "Müller GmbH")
    assert paid.payer_iban == "DE02120300000000202051"
    assert paid.end_to_end == ""  # NOTPROVIDED is no id
    assert (fee.amount, fee.credit) == (Decimal("9.90"), False)


def test_a_bad_csv_line_is_named_and_nothing_is_read(tmp_path: Path) -> None:
    text = "Number,Date,Account,Amount,Subcategory,Memo\n,01/12/2026,20-00-00 1,12.00,X,ok\n"
    text += ",31/02/2026,20-00-00 1,5.00,X,bad date\n,02/12/2026,20-00-00 1,abc,X,bad amount\n"
    with pytest.raises(BankFileError) as refused:
        read_statement(
            _file(tmp_path, "b.csv", text.encode()), mapping=load_mapping("barclays", bank=True)
        )
    message = str(refused.value)
    assert "line 3, column 'Date'" in message and "line 4, column 'Amount'" in message


def test_a_csv_without_mapping_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BankFileError, match="needs its bank's --mapping"):
        read_statement(_file(tmp_path, "b.csv", b"Date,Amount\n01/12/2026,1.00\n"))


def test_the_account_given_must_be_the_statements(tmp_path: Path) -> None:
    path = _file(tmp_path, "s.xml", camt053(ENTRIES))
    assert read_statement(path, account="FR7630006000011234567890189").account == (
        "FR7630006000011234567890189"
    )
    with pytest.raises(BankFileError, match="is the statement of FR76"):
        read_statement(path, account="DE89370400440532013000")


def test_a_spanish_export_with_title_lines_is_read(tmp_path: Path) -> None:
    text = (
        "Movimientos de la cuenta ES91 2100 0418 4502 0005 1332\n"
        "Titular: EMPRESA DEMO SL\n\n"
        "Fecha operación;Fecha valor;Concepto;Importe;Saldo\n"
        "02/09/2026;02/09/2026;COMISION MANTENIMIENTO;-12,50;14.987,50\n"
        '03/09/2026;03/09/2026;"TRANSF. CLIENTE EJEMPLO; FRA F-2026-0042";1.210,00;16.197,50\n'
    )
    statement = read_statement(
        _file(tmp_path, "movimientos.csv", text.encode()),
        mapping=load_mapping("santander_es", bank=True),
        account="ES9121000418450200051332",
    )
    fee, paid = statement.lines
    assert (fee.amount, fee.credit) == (Decimal("12.50"), False)
    assert (paid.amount, paid.credit, paid.currency) == (Decimal("1210.00"), True, "EUR")
    assert "F-2026-0042" in paid.remittance
    assert statement.account == "ES9121000418450200051332"
