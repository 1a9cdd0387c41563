"""Column mappings: how one tool's CSV export maps onto Relance's fields. Data, not code."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

MAPPINGS_DIR = Path(__file__).resolve().parent / "mappings"

#: Every field Relance reads from an invoice line. A mapping names the column that holds it,
#: or gives a default for the whole file; a field that is neither is simply not imported.
FIELDS = (
    "customer_id",
    "customer_name",
    "contact_name",
    "email",
    "phone",
    "language",
    "country",
    "timezone",
    "notes",
    "address",
    "owner",
    "segment",
    "invoice_number",
    "currency",
    "amount",
    "amount_paid",
    "balance",
    "issue_date",
    "due_date",
    "payment_link",
)
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


class MappingError(ValueError):
    """A mapping file that cannot be used."""


@dataclass(frozen=True)
class Mapping:
    name: str
    columns: dict[str, str]
    defaults: dict[str, str] = field(default_factory=dict)
    delimiter: str = ","
    encoding: str = "utf-8-sig"
    date_formats: tuple[str, ...] = ("%Y-%m-%d",)
    decimal_separator: str | None = None
    description: str = ""

    def provides(self, name: str) -> bool:
        return name in self.columns or name in self.defaults

    def restricted_to(self, header: list[str]) -> Mapping:
        """This mapping without the optional columns a given file does not have."""
        present = set(header)
        return replace(self, columns={f: c for f, c in self.columns.items() if c in present})


def _from_toml(data: dict, origin: str) -> Mapping:
    columns = dict(data.get("columns", {}))
    defaults = {k: str(v) for k, v in data.get("defaults", {}).items()}
    unknown = sorted((set(columns) | set(defaults)) - set(FIELDS))
    if unknown:
        raise MappingError(f"{origin}: unknown field(s) {', '.join(unknown)}")
    missing = [f for f in REQUIRED if f not in columns and f not in defaults]
    if missing:
        raise MappingError(f"{origin}: no column or default for {', '.join(missing)}")
    if "amount_paid" in columns and "balance" in columns:
        raise MappingError(f"{origin}: map either amount_paid or balance, not both")
    separator = data.get("decimal_separator")
    if separator not in (None, ".", ","):
        raise MappingError(f"{origin}: decimal_separator must be '.' or ','")
    return Mapping(
        name=data.get("name", origin),
        description=data.get("description", ""),
        columns=columns,
        defaults=defaults,
        delimiter=data.get("delimiter", ","),
        encoding=data.get("encoding", "utf-8-sig"),
        date_formats=tuple(data.get("date_formats", ["%Y-%m-%d"])),
        decimal_separator=separator,
    )


def available_mappings() -> list[str]:
    return sorted(p.stem for p in MAPPINGS_DIR.glob("*.toml"))


def load_mapping(name_or_path: str = "relance") -> Mapping:
    """A bundled mapping by name (`relance`, `quickbooks`, `xero`) or a TOML file by path."""
    path = Path(name_or_path)
    if not path.suffix:
        path = MAPPINGS_DIR / f"{name_or_path}.toml"
        if not path.exists():
            raise MappingError(
                f"no mapping named {name_or_path!r}; bundled: {', '.join(available_mappings())}"
            )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise MappingError(f"{path}: {exc}") from exc
    return _from_toml(data, path.stem)
