"""Column mappings: how one tool's CSV export maps onto Relance's fields. Data, not code."""

from __future__ import annotations

import codecs
import tomllib
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from bot.domain.states import InvoiceStatus

MAPPINGS_DIR = Path(__file__).resolve().parent / "mappings"
#: Bank statement exports (CSV) are read through the same format, with the fields of a bank line.
BANK_MAPPINGS_DIR = MAPPINGS_DIR / "bank"

#: Every field Relance reads from an invoice line, the customer's first. A mapping names the
#: column that holds it, or gives a default for the whole file; a field that is neither is simply
#: not imported.
CUSTOMER_FIELDS = (
    "customer_id",
    "customer_name",
    "contact_name",
    "salutation",
    "email",
    "phone",
    "language",
    "country",
    "timezone",
    "notes",
    "address",
    "governing_law",
    "owner",
    "segment",
)
INVOICE_FIELDS = (
    "invoice_number",
    "currency",
    "amount",
    "amount_paid",
    "balance",
    "issue_date",
    "due_date",
    "payment_link",
    "status",
    "document_type",
    "credit",
    "lettering",
    "pdf",
)
FIELDS = CUSTOMER_FIELDS + INVOICE_FIELDS
#: A column name standing for the text of the customer group row above a line (reports that
#: list invoices under a row naming their customer).
GROUP = "@group"
REQUIRED = (
    "customer_id",
    "customer_name",
    "country",
    "currency",
    "invoice_number",
    "amount",
    "issue_date",
    "due_date",
)


#: A bank export's fields: a signed `amount`, or separate `credit_amount` and `debit_amount`.
BANK_FIELDS = (
    "account",
    "booking_date",
    "amount",
    "credit_amount",
    "debit_amount",
    "currency",
    "payer_name",
    "payer_iban",
    "remittance",
    "reference",
    "end_to_end",
)
BANK_REQUIRED = ("booking_date", "currency")


class MappingError(ValueError):
    """A mapping file that cannot be used."""


def header_key(name: str) -> str:
    """A column name as compared with a file's header: what tools vary between versions and
    locales (case, surrounding and non-breaking spaces, a byte-order mark, stray quotes) left
    out, so `Due date`, `"Due Date "` and `DUE\u00a0DATE` all name the same column."""
    text = unicodedata.normalize("NFKC", name).replace("\ufeff", "")
    text = text.strip().strip("\"'").strip()
    return " ".join(text.split()).casefold()


@dataclass(frozen=True)
class RowRule:
    """Rows to leave out (totals, sub-headings) or to keep (one ledger account): the cell in a
    `column` (by header name) or at a 1-based `position` (for unnamed columns) that starts
    with a text, equals one of some texts, or is not empty."""

    position: int = 0
    column: str = ""
    starts_with: str = ""
    one_of: tuple[str, ...] = ()
    not_empty: bool = False
    empty: bool = False

    def resolved(self, header: list[str]) -> RowRule:
        """The rule with its column's position in this file's header (0: no such column)."""
        if not self.column:
            return self
        position = header.index(self.column) + 1 if self.column in header else 0
        return replace(self, position=position)

    def matches(self, row: list[str]) -> bool:
        if not 0 < self.position <= len(row):
            return self.empty and self.position > 0  # a short row (a report's footer line)
        cell = row[self.position - 1].strip()
        if self.empty:
            return not cell
        if self.not_empty:
            return bool(cell)
        if self.one_of:
            return cell in self.one_of
        return cell.startswith(self.starts_with)


def _rules(data: list[dict[str, Any]], origin: str, table: str) -> tuple[RowRule, ...]:
    rules = []
    for rule in data:
        if not (rule.get("position") or rule.get("column")):
            raise MappingError(f"{origin}: each [[{table}]] needs a column or a position")
        equals = rule.get("equals", [])
        rules.append(
            RowRule(
                position=int(rule.get("position", 0)),
                column=str(rule.get("column", "")),
                starts_with=str(rule.get("starts_with", "")),
                one_of=tuple(equals) if isinstance(equals, list) else (str(equals),),
                not_empty=bool(rule.get("not_empty", False)),
                empty=bool(rule.get("empty", False)),
            )
        )
    return tuple(rules)


@dataclass(frozen=True)
class Mapping:
    name: str
    columns: dict[str, str]
    defaults: dict[str, str] = field(default_factory=dict)
    delimiter: str = ","
    encoding: str = "utf-8-sig"
    #: Every separator the tool may write (the FEC allows tab or '|'), detected from the header
    #: line; empty: only `delimiter`.
    delimiters: tuple[str, ...] = ()
    #: Every encoding the tool may write, tried in order on the whole file (the last one, a
    #: single-byte encoding, always decodes); empty: only `encoding`.
    encodings: tuple[str, ...] = ()
    date_formats: tuple[str, ...] = ("%Y-%m-%d",)
    decimal_separator: str | None = None
    description: str = ""
    #: Physical lines before the header, or the column names that mark the header line.
    skip_lines: int = 0
    header_names: tuple[str, ...] = ()
    drop: tuple[RowRule, ...] = ()
    #: When given, only rows matching one of these are read (e.g. customer accounts 411…).
    keep: tuple[RowRule, ...] = ()
    #: Days from issue to due date, for ledgers that carry no due date (the FEC).
    due_days: int | None = None
    #: 1-based position of the cell naming the customer on group rows; 0 when none.
    group_position: int = 0
    #: Several lines per invoice number are one invoice; these fields are summed over them,
    #: every other invoice field must agree between the lines.
    line_items: bool = False
    summed: tuple[str, ...] = ()
    #: Each status text the file uses, to what it means to Relance (only open ones are chased).
    statuses: dict[str, InvoiceStatus] = field(default_factory=dict)
    #: Document type texts meaning a credit note (their amounts are taken as negative).
    credit_note_types: frozenset[str] = frozenset()
    #: Columns whose non-empty cells are joined, one per line, into the field (addresses).
    joined: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: The fields a file must give (an invoice ledger's, or a bank export's `BANK_REQUIRED`).
    required: tuple[str, ...] = REQUIRED
    #: A column read when a field's own column is empty or holds a placeholder (`-`).
    fallbacks: dict[str, str] = field(default_factory=dict)
    placeholders: frozenset[str] = frozenset()
    #: Ledgers of entries (the FEC): lines of one document number are one item, lettered
    #: groups settle together, and payments and credit notes are applied to the customer's
    #: oldest open invoices, so the balance is the one the ledger shows.
    settles: bool = False
    #: Rows without an invoice number are credits in the customer's favour (Xero's
    #: overpayments and prepayments), numbered from their own fields.
    unnumbered_credits: bool = False

    def column_names(self) -> set[str]:
        """Every header name this mapping refers to."""
        names = set(self.columns.values()) | set(self.fallbacks.values())
        names |= {c for cs in self.joined.values() for c in cs} | set(self.header_names)
        names |= {r.column for r in (*self.drop, *self.keep) if r.column}
        return names - {GROUP}

    def expected_header(self) -> set[str]:
        """The column names whose presence marks this mapping's header line."""
        if self.header_names:
            return set(self.header_names)
        return {
            self.columns[f] for f in self.required if f in self.columns and f not in self.defaults
        } - {GROUP}

    def rules_for(self, header: list[str]) -> Mapping:
        """This mapping with its row rules placed on a file's header."""
        return replace(
            self,
            drop=tuple(r.resolved(header) for r in self.drop),
            keep=tuple(r.resolved(header) for r in self.keep),
        )

    def provides(self, name: str) -> bool:
        return name in self.columns or name in self.joined or name in self.defaults

    def restricted_to(self, header: list[str]) -> Mapping:
        """This mapping without the optional columns a given file does not have."""
        present = set(header) | {GROUP}
        return replace(
            self,
            columns={f: c for f, c in self.columns.items() if c in present},
            fallbacks={f: c for f, c in self.fallbacks.items() if c in present},
            joined={
                f: tuple(c for c in cs if c in present)
                for f, cs in self.joined.items()
                if any(c in present for c in cs)
            },
        )


def parse_mapping(
    data: dict[str, Any],
    origin: str,
    fields: tuple[str, ...] = FIELDS,
    required: tuple[str, ...] = REQUIRED,
) -> Mapping:
    """A mapping from its TOML table; `origin` names it in errors. `fields` and `required`
    are a ledger's unless given (a bank export's)."""
    columns, joined, defaults = _columns(data, origin, fields, required)
    separator = data.get("decimal_separator")
    if separator not in (None, ".", ","):
        raise MappingError(f"{origin}: decimal_separator must be '.' or ','")
    header = data.get("header", {})
    groups = data.get("groups", {})
    if GROUP in columns.values() and not groups.get("position"):
        raise MappingError(f"{origin}: {GROUP!r} needs [groups] position")
    lines = data.get("line_items", {})
    summed = tuple(lines.get("sum", []))
    if set(summed) - {"amount", "amount_paid", "balance"}:
        raise MappingError(f"{origin}: [line_items] sum may list amount, amount_paid, balance")
    statuses = _statuses(data, origin, columns)
    types = data.get("document_types", {})
    fallbacks = {str(k): str(v) for k, v in data.get("fallbacks", {}).items()}
    if set(fallbacks) - set(FIELDS):
        raise MappingError(f"{origin}: unknown field(s) in [fallbacks]")
    delimiters, encodings = _formats(data, origin)
    return Mapping(
        name=data.get("name", origin),
        description=data.get("description", ""),
        columns=columns,
        defaults=defaults,
        delimiter=delimiters[0],
        encoding=encodings[0],
        delimiters=delimiters if len(delimiters) > 1 else (),
        encodings=encodings if len(encodings) > 1 else (),
        date_formats=tuple(data.get("date_formats", ["%Y-%m-%d"])),
        decimal_separator=separator,
        skip_lines=int(header.get("skip_lines", 0)),
        header_names=tuple(header.get("find", ())),
        drop=_rules(data.get("drop", []), origin, "drop"),
        keep=_rules(data.get("keep", []), origin, "keep"),
        due_days=data.get("due_days_after_issue"),
        group_position=int(groups.get("position", 0)),
        line_items=bool(lines.get("per_invoice", False)),
        summed=summed,
        statuses=statuses,
        credit_note_types=frozenset(str(t).casefold() for t in types.get("credit_note", [])),
        joined=joined,
        required=required,
        fallbacks=fallbacks,
        placeholders=frozenset(str(p) for p in data.get("placeholders", [])),
        settles=bool(data.get("settlement", {}).get("apply_credits", False)),
        unnumbered_credits=bool(data.get("credits", {}).get("unnumbered", False)),
    )


def _columns(
    data: dict[str, Any], origin: str, fields: tuple[str, ...], required: tuple[str, ...]
) -> tuple[dict[str, str], dict[str, tuple[str, ...]], dict[str, str]]:
    """The columns read (one per field, or several joined) and the defaults; every field known,
    every required one given."""
    columns: dict[str, str] = {}
    joined: dict[str, tuple[str, ...]] = {}
    for name, column in data.get("columns", {}).items():
        if isinstance(column, list):
            joined[name] = tuple(str(c) for c in column)
        else:
            columns[name] = str(column)
    defaults = {k: str(v) for k, v in data.get("defaults", {}).items()}
    unknown = sorted((set(columns) | set(joined) | set(defaults)) - set(fields))
    if unknown:
        raise MappingError(f"{origin}: unknown field(s) {', '.join(unknown)}")
    given = set(columns) | set(joined) | set(defaults)
    if "due_days_after_issue" in data:
        given.add("due_date")
    missing = [f for f in required if f not in given]
    if missing:
        raise MappingError(f"{origin}: no column or default for {', '.join(missing)}")
    return columns, joined, defaults


def _statuses(
    data: dict[str, Any], origin: str, columns: dict[str, str]
) -> dict[str, InvoiceStatus]:
    """Each status text (casefolded) the ledger writes, to what it means to Relance."""
    statuses: dict[str, InvoiceStatus] = {}
    meanings = [s.value for s in InvoiceStatus]
    for meaning, texts in data.get("statuses", {}).items():
        if meaning not in meanings:
            raise MappingError(f"{origin}: [statuses] keys are {', '.join(meanings)}")
        statuses.update({str(t).casefold(): InvoiceStatus(meaning) for t in texts})
    if "status" in columns and not statuses:
        raise MappingError(f"{origin}: a status column needs [statuses]")
    return statuses


def _formats(data: dict[str, Any], origin: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The delimiters and encodings the tool may write, each checked."""
    delimiters = _choices(data, "delimiter", ",", origin)
    encodings = _choices(data, "encoding", "utf-8-sig", origin)
    if any(len(d) != 1 for d in delimiters):
        raise MappingError(f"{origin}: a delimiter is one character")
    for encoding in encodings:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise MappingError(f"{origin}: unknown encoding {encoding!r}") from None
    return delimiters, encodings


def _choices(data: dict[str, Any], key: str, default: str, origin: str) -> tuple[str, ...]:
    """A setting given as one value or as the list of values the tool may write."""
    value = data.get(key, default)
    values = tuple(str(v) for v in value) if isinstance(value, list) else (str(value),)
    if not values:
        raise MappingError(f"{origin}: {key} lists no value")
    return values


def available_mappings(folder: Path = MAPPINGS_DIR) -> list[str]:
    return sorted(p.stem for p in folder.glob("*.toml"))


def load_mapping(name_or_path: str = "relance", *, bank: bool = False) -> Mapping:
    """A bundled mapping by name (`relance`, `quickbooks`, `xero`; with `bank`, a bank
    export's: `sparkasse`, `barclays`, …) or a TOML file by path."""
    folder = BANK_MAPPINGS_DIR if bank else MAPPINGS_DIR
    path = Path(name_or_path)
    if not path.suffix:
        path = folder / f"{name_or_path}.toml"
        if not path.exists():
            raise MappingError(
                f"no mapping named {name_or_path!r}; bundled: "
                + ", ".join(available_mappings(folder))
            )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise MappingError(f"{path}: {exc}") from exc
    if bank:
        return parse_mapping(data, path.stem, BANK_FIELDS, BANK_REQUIRED)
    return parse_mapping(data, path.stem)
