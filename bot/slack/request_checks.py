"""Refusing malformed requests before any listener runs: a refusal, never an HTTP 500.

A button whose value is no reminder id, and a form whose hidden reference names no reminder, are
answered (ephemerally, or in the form) and logged before any listener runs; a button naming a
reminder that does not exist or is not its card's is checked just after the acknowledgement
(`card_problem`). The listeners behind these checks can trust what they read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from typing import Any, TypeGuard

from slack_bolt import Ack, App, BoltResponse, Respond

from bot.rendering.staff_text import N_, _
from bot.services.audit.refusals import record_refusal
from bot.services.overview.cards import card_ts
from bot.slack.deps import Deps
from bot.slack.ids import (
    APPROVE,
    APPROVE_ALL,
    CALL_CALLBACK,
    CASH_APPLY,
    CASH_CHOOSE,
    CASH_CHOOSE_CALLBACK,
    CASH_NOT_PAYMENT,
    EDIT,
    EDIT_CALLBACK,
    LETTER,
    LOG_CALL,
    SKIP,
    SKIP_CALLBACK,
    any_numbered,
)

log = logging.getLogger(__name__)

CARD_ACTIONS = frozenset({APPROVE, EDIT, SKIP, LOG_CALL, LETTER})
REMINDER_FORMS = frozenset({EDIT_CALLBACK, SKIP_CALLBACK})
BANK_LINE_ACTIONS = frozenset({CASH_APPLY, CASH_CHOOSE, CASH_NOT_PAYMENT})


def _whole_number(text: object) -> TypeGuard[str]:
    """Plain ASCII digits, not too many (`int()` would also take `²`, `-1` or ` 1`)."""
    return isinstance(text, str) and text.isascii() and text.isdigit() and len(text) <= 12


def well_formed_timestamp(value: str | None) -> bool:
    """Slack's request timestamp is whole seconds since the epoch."""
    return _whole_number(value)


def reminder_id(text: object) -> int | None:
    """A reminder id as buttons and forms carry it: a positive whole number, else None."""
    if _whole_number(text) and int(text) > 0:
        return int(text)
    return None


INTERACTIONS = frozenset({"block_actions", "view_submission", "view_closed", "shortcut"})


def _text(value: object) -> bool:
    return isinstance(value, str) and bool(value)


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def shape_problem(body: dict[str, Any]) -> str | None:
    """What a signed payload lacks that every listener reads: a type (or a command), a user,
    a click's actions (an id and a value or chosen option each), a form's view and values.
    Slack always sends them; a payload without them is refused before any listener runs."""
    if "command" in body:
        return None if _text(body.get("user_id")) else "this command names no user"
    kind = body.get("type")
    if not _text(kind):
        return "this request names no type"
    if kind == "event_callback":
        return None if _text(_dict(body.get("event")).get("type")) else "this event names no type"
    if kind not in INTERACTIONS:
        return None
    if not _text(_dict(body.get("user")).get("id")):
        return "this request names no user"
    if kind == "block_actions":
        actions = body.get("actions")
        if not (isinstance(actions, list) and actions and all(map(_action_shaped, actions))):
            return "this click names no action"
    if kind == "view_submission":
        view = _dict(body.get("view"))
        values = _dict(view.get("state")).get("values")
        if not (_text(view.get("callback_id")) and isinstance(values, dict)):
            return N_("this form names no view")
        if not all(isinstance(v, dict) for v in values.values()):
            return N_("this form names no view")
    return None


def _action_shaped(action: object) -> bool:
    if not (isinstance(action, dict) and _text(action.get("action_id"))):
        return False
    if "selected_option" in action:
        return isinstance(_dict(action["selected_option"]).get("value"), str)
    return isinstance(action.get("value", ""), str)


def _action_problem(body: dict[str, Any]) -> str | None:
    action = body["actions"][0]
    action_id, value = action.get("action_id"), action.get("value")
    if isinstance(action_id, str) and any_numbered(APPROVE_ALL).match(action_id):
        day, _sep, stage = str(value).partition("|")
        try:
            date.fromisoformat(day)
        except ValueError:
            return N_("this button names no day")
        return None if stage else N_("this button names no stage")
    if action_id in CARD_ACTIONS and reminder_id(value) is None:
        return N_("this button names no reminder")
    if action_id in BANK_LINE_ACTIONS and reminder_id(value) is None:  # the same form of id
        return N_("this button names no bank line")
    return None


def card_problem(deps: Deps, number: int, body: dict[str, Any]) -> str | None:
    """Whether the reminder a card's button names exists and is the card's own. It reads the
    database, so it runs after the acknowledgement (see `on_card_click`), keeping a burst of
    clicks off the connection pool until each is acknowledged."""
    ts = card_ts(deps.runtime.engine, number)
    if ts is None:
        return N_("this button names no reminder")
    container = body.get("container") or {}
    if container.get("type") == "message" and container.get("message_ts") != ts:
        return N_("this button names a reminder other than the card it is on")
    return None


def _form_problem(deps: Deps, view: dict[str, Any]) -> str | None:
    callback, metadata = view.get("callback_id"), view.get("private_metadata", "")
    if callback in REMINDER_FORMS:
        reference = metadata
    elif callback == CALL_CALLBACK:
        customer, _sep, reference = str(metadata).partition("|")
        if not customer:
            return N_("this form names no customer")
        if not reference:
            return None
    elif callback == CASH_CHOOSE_CALLBACK:
        return None if reminder_id(metadata) is not None else N_("this form names no bank line")
    else:
        return None
    number = reminder_id(reference)
    if number is None or card_ts(deps.runtime.engine, number) is None:
        return N_("this form names no reminder")
    return None


def register(app: App, deps: Deps) -> None:
    @app.middleware
    def refuse_malformed(
        body: dict[str, Any], next: Callable[[], BoltResponse], ack: Ack, respond: Respond | None
    ) -> BoltResponse:
        kind = body.get("type")
        user = _dict(body.get("user")).get("id", "")
        if kind == "block_actions":
            problem = _action_problem(body)
            if problem:
                answer = ack()
                log.warning("refused a click from %s: %s (%s)", user, problem, body.get("actions"))
                if respond is not None:
                    respond(
                        text=_(
                            "Sorry, {problem}; nothing was done. Use the buttons on the card.",
                            problem=_(problem),
                        ),
                        response_type="ephemeral",
                        replace_original=False,
                    )
                return answer
        elif kind == "view_submission":
            problem = _form_problem(deps, body.get("view") or {})
            if problem:
                log.warning("refused a form from %s: %s", user, problem)
                return ack(response_action="update", view=_refusal_view(problem))
        return next()


def refuse_shapeless(deps: Deps, body: dict[str, Any]) -> bool:
    """Whether the payload misses what the listeners read (`shape_problem`); if so it is
    logged without its content and recorded in the audit trail like any refused attempt. Both
    transports ask before bolt reads the payload (bolt's own argument building would fail on
    it first); the caller acknowledges it, as Slack retries what is not."""
    problem = shape_problem(body)
    if problem is None:
        return False
    user = _dict(body.get("user")).get("id") or body.get("user_id")
    actor = str(user)[:64] if _text(user) else "unknown"
    kind = body.get("type")
    log.warning("refused a malformed payload from %s: %s", actor, problem)
    record_refusal(
        deps.runtime.engine,
        actor,
        "send a malformed request",
        {"problem": problem, "type": str(kind)[:40] if kind else ""},
    )
    return True


def _refusal_view(problem: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": _("Not saved")},
        "close": {"type": "plain_text", "text": _("Close")},
        "blocks": [
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": _(
                        "Sorry, {problem}; nothing was saved. Open the form again from the card.",
                        problem=_(problem),
                    ),
                },
            }
        ],
    }
