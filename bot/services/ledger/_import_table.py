"""The staging table an import is read into, and how a refused import is reported."""

from __future__ import annotations

import sqlalchemy as sa

from bot.importing.source import LineError
from bot.services.ledger._import_effects import ImportReport as ImportReport

_staging_metadata = sa.MetaData()
MAX_ERRORS_KEPT = 1000


STAGING = sa.Table(
    "import_staging",
    _staging_metadata,
    sa.Column("line", sa.Integer, primary_key=True),
    sa.Column("customer_external_id", sa.String),
    sa.Column("customer_name", sa.String),
    sa.Column("contact_name", sa.String),
    sa.Column("salutation", sa.String),
    sa.Column("email", sa.String),
    sa.Column("phone", sa.String),
    sa.Column("language", sa.String),
    sa.Column("country", sa.String),
    sa.Column("timezone", sa.String),
    sa.Column("notes", sa.String),
    sa.Column("address", sa.String),
    sa.Column("governing_law", sa.String),
    sa.Column("owner", sa.String),
    sa.Column("segment", sa.String),
    sa.Column("invoice_number", sa.String),
    sa.Column("currency", sa.String),
    sa.Column("amount_minor", sa.BigInteger),
    sa.Column("paid_minor", sa.BigInteger),
    sa.Column("issue_date", sa.Date),
    sa.Column("due_date", sa.Date),
    sa.Column("payment_link", sa.String),
    sa.Column("status", sa.String),
    sa.Column("lettering", sa.String),
    sa.Column("reported_paid_minor", sa.BigInteger),
    sa.Column("pdf", sa.String),
    prefixes=["TEMPORARY"],
)


class ImportFailed(Exception):
    """Nothing was imported; `errors` names each bad line (the first MAX_ERRORS_KEPT)."""

    def __init__(self, errors: list[LineError], total: int | None = None):
        self.errors = sorted(errors, key=LineError.key)
        self.total = total if total is not None else len(errors)
        more = f" (and {self.total - len(errors)} more)" if self.total > len(errors) else ""
        super().__init__(
            f"nothing imported: {self.total} error(s){more}\n"
            + "\n".join(str(e) for e in self.errors)
        )
