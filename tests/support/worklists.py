"""A morning of many suggestions shared among owners, for the end-to-end tests and benches."""

from __future__ import annotations

import json
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy.engine import Engine

from bot.importing.mapping import load_mapping
from bot.services.ledger.importing import import_invoices
from bot.slack.blocks.worklist import HOME_ROW
from tests.support.csvfiles import line, write_csv
from tests.support.slack_fixtures import APPROVER, GROUP_MEMBER, OTHER_APPROVER, SlackWorld
from tests.support.slack_http import home_opened_event

OWNERS = (APPROVER, OTHER_APPROVER, GROUP_MEMBER)  # all three may decide; the second is a lead


def many_customers(engine: Engine, folder: Path, today: date, count: int, unowned: int = 0) -> None:
    """`count` late customers, the first `count - unowned` shared in turn among OWNERS."""
    due = (today - timedelta(days=20)).isoformat()
    issued = (today - timedelta(days=50)).isoformat()
    rows = [
        line(
            customer_id=f"M{n:05d}",
            customer_name=f"Many {n:05d}",
            invoice_number=f"M-{n:05d}",
            amount=f"{100 + n}",
            due_date=due,
            issue_date=issued,
            owner=OWNERS[n % len(OWNERS)] if n < count - unowned else "",
        )
        for n in range(count)
    ]
    header = [*line().keys(), "owner"]
    import_invoices(engine, write_csv(folder / "many.csv", rows, header=header), load_mapping())


def home_action(action: dict, *, user: str, view: dict) -> str:
    """A click on a Home tab's element (`block_actions` from the `home` view), form-encoded."""
    return urlencode(
        {
            "payload": json.dumps(
                {
                    "type": "block_actions",
                    "team": {"id": "T1"},
                    "api_app_id": "A1",
                    "user": {"id": user, "team_id": "T1"},
                    "trigger_id": f"trigger-{user}",
                    "container": {"type": "view", "view_id": view.get("id", "VHOME")},
                    "view": view,
                    "actions": [{"block_id": "b", "action_ts": str(time.time()), **action}],
                }
            )
        }
    )


def open_home(world: SlackWorld, user: str) -> dict:
    before = len(world.fake.calls_to("views.publish"))
    assert world.slack.post(home_opened_event(user), content_type="application/json").status == 200
    return world.fake.wait_for(lambda: world.fake.calls_to("views.publish")[before:])[0].args


def row_ids(view: dict) -> list[int]:
    return [
        int(option["value"].split("|")[1])
        for block in view["blocks"]
        if block.get("accessory", {}).get("action_id") == HOME_ROW
        for option in block["accessory"]["options"]
        if option["value"].startswith("approve|")
    ]
