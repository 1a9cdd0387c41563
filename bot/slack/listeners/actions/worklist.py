"""My morning's controls on the Home tab: a row's menu (approve it, or open Edit or Skip for
it), *Approve the selected*, the pages. Each decision keeps the exactly-once rule of a card's
click; the Home is published again afterwards."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.domain.worklist import one_by_one
from bot.rendering.staff_text import N_
from bot.services.reminders import decisions
from bot.slack.blocks.modals import edit_modal, skip_modal
from bot.slack.blocks.worklist import (
    HOME_APPROVE_SELECTED,
    HOME_PAGE,
    HOME_PICK,
    HOME_ROW,
    selected_ids,
)
from bot.slack.deps import Deps
from bot.slack.home_publisher import publish_home, read_place
from bot.slack.ids import EDIT_CALLBACK, SKIP_CALLBACK, any_numbered
from bot.slack.listeners.actions.legal_part import open_legal_part
from bot.slack.listeners.actions.reminder_modal import open_reminder_modal

MODALS = {"edit": (EDIT_CALLBACK, edit_modal), "skip": (SKIP_CALLBACK, skip_modal)}
#: what a person who may not decide was refused, per row menu choice
REFUSED = {
    "legal": N_("read final notices"),
    "edit": N_("edit reminders"),
    "skip": N_("skip reminders"),
}


def register(app: App, deps: Deps) -> None:
    @app.action(HOME_ROW)
    def row_menu(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        _row_menu(deps, body)

    @app.action(HOME_APPROVE_SELECTED)
    def approve_selected(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        _approve(deps, body, selected_ids(body.get("view", {})))

    @app.action(any_numbered(HOME_PAGE))
    def turn_page(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        user = body["user"]["id"]
        scope, page = read_place(body["actions"][0].get("value", ""))
        deps.later(lambda: publish_home(deps, user, scope, page), "turning a Home page")

    @app.action(HOME_PICK)
    def ticked(ack: Ack) -> None:
        ack()  # the ticks are read from the view's state when *Approve the selected* is clicked


def _refused(deps: Deps, user: str, what: str, detail: dict[str, Any]) -> bool:
    if deps.approvers.may_decide(user):
        return False

    def tell(text: str, blocks: list[dict[str, Any]] | None = None) -> None:
        deps.client.chat_postMessage(channel=user, text=text)  # a Home has no thread

    deps.refuse(user, what, tell, detail)
    return True


def _approve(deps: Deps, body: dict[str, Any], ids: list[int]) -> None:
    user = body["user"]["id"]
    scope, page = read_place(body.get("view", {}).get("private_metadata", ""))

    def work() -> None:
        if _refused(deps, user, N_("approve reminders"), {"reminders": ids[:50]}):
            return
        runtime = deps.runtime
        approved = decisions.approve_selected(
            runtime.drafter(), ids, user, one_by_one=one_by_one(*runtime.policies())
        )
        deps.cards.refresh([r.id for r in approved], deps.today())
        publish_home(deps, user, scope, page)

    deps.later(work, f"approving {len(ids)} reminder(s) from the Home")


def _row_menu(deps: Deps, body: dict[str, Any]) -> None:
    """A row's menu: approve it, read its legal part, or open Edit or Skip for it."""
    verb, _, rid = body["actions"][0]["selected_option"]["value"].partition("|")
    if not rid.isdigit() or verb not in ("approve", "legal", *MODALS):
        return
    if verb == "approve":
        _approve(deps, body, [int(rid)])
        return
    user = body["user"]["id"]
    if _refused(deps, user, REFUSED[verb], {"reminder": int(rid)}):
        return
    if verb == "legal":
        open_legal_part(deps, int(rid), body.get("trigger_id", ""))
        return
    callback, build = MODALS[verb]
    open_reminder_modal(deps, int(rid), body.get("trigger_id", ""), callback, build)
