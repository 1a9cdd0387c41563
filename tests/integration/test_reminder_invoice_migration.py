"""Migration 0009_arch moves every reminder's comma-joined invoices into `reminder_invoice`,
in order, and back on downgrade, on both databases."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

from bot.db import MIGRATIONS_DIR


def _migrate(engine: Engine, revision: str, *, down: bool = False) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


REMINDER = """
INSERT INTO reminder (customer_id, run_date, stage, channel, language, wording, invoice_numbers,
  subject, body_text, body_html, original_subject, original_body_text, state, decided_by,
  skip_reason, slack_channel, slack_ts, created_at)
VALUES (:customer, '2026-11-02', :stage, 'email', 'fr', '', :numbers, '', '', '', '', '',
  'suggested', '', '', '', '', '2026-11-02 08:00:00')
"""


def test_the_invoice_lists_move_to_their_table_and_back(engine: Engine) -> None:
    _migrate(engine, "0008", down=True)
    with engine.begin() as conn:
        customer = conn.execute(
            sa.text(
                "INSERT INTO customer (external_id, name, contact_name, email, phone, language,"
                " country, timezone, currency, notes, address, paused, created_at, updated_at)"
                " VALUES ('C1', 'Acme', '', '', '', 'fr', 'FR', 'Europe/Paris', 'EUR', '', '',"
                " false, '2026-11-01 08:00:00', '2026-11-01 08:00:00') RETURNING id"
            )
        ).scalar_one()
        for stage, numbers in [("friendly", "F-2,F-1,F-10"), ("thanks", "F-7")]:
            conn.execute(
                sa.text(REMINDER), {"customer": customer, "stage": stage, "numbers": numbers}
            )

    _migrate(engine, "head")
    with engine.connect() as conn:
        listed = conn.execute(
            sa.text(
                "SELECT r.stage, l.position, l.number FROM reminder_invoice l"
                " JOIN reminder r ON r.id = l.reminder_id ORDER BY r.stage, l.position"
            )
        ).all()
        columns = {c["name"] for c in sa.inspect(conn).get_columns("reminder")}
    assert [tuple(row) for row in listed] == [
        ("friendly", 0, "F-2"),
        ("friendly", 1, "F-1"),
        ("friendly", 2, "F-10"),
        ("thanks", 0, "F-7"),
    ]
    assert "invoice_numbers" not in columns

    _migrate(engine, "0008", down=True)
    with engine.connect() as conn:
        back = conn.execute(
            sa.text("SELECT stage, invoice_numbers FROM reminder ORDER BY stage")
        ).all()
    assert [tuple(row) for row in back] == [("friendly", "F-2,F-1,F-10"), ("thanks", "F-7")]
    _migrate(engine, "head")
