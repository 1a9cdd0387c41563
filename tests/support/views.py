"""A reminder as its card sees it, for tests of pure Block Kit builders."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from bot.domain.states import ReminderState
from bot.services.overview.reminder_view import ReminderView

BASE = ReminderView(
    id=1, run_date=date(2026, 11, 26), customer_name="Zürich AG", contact_name="",
    customer_email="", country="CH", language="de", locale="de_CH", stage="friendly",
    channel="email", wording="de/friendly", subject="Erinnerung", body_text="Text",
    edited=False, state=ReminderState.SUGGESTED, decided_by="", decided_at=None, skip_reason=None,
    invoices=[], delivery=None, delivery_error="", attempts=0, slack_channel="", slack_ts="",
)  # fmt: skip


def reminder_view(**changes: object) -> ReminderView:
    return replace(BASE, **changes)  # type: ignore[arg-type]
