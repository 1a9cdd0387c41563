"""Who may do what, checked in one place for every button and every form.

A listener declares the role it needs with `on_action` or `on_submission`; the decorator
acknowledges, checks the role after the acknowledgement (a user group may have to be read from
Slack), and refuses politely, logged and recorded, before the handler ever runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, Respond

from bot.rendering.staff_text import say
from bot.services.common.errors import Invalid
from bot.slack.access import Role
from bot.slack.deps import Deps, Reply, refuse_submission

Detail = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Action:
    """A button pressed by someone allowed to press it."""

    user: str
    value: str
    trigger_id: str
    body: dict[str, Any]
    respond: Respond

    def reply(self, text: str, blocks: list[dict[str, Any]] | None = None) -> None:
        """An ephemeral answer to the person who clicked."""
        self.respond(text=text, response_type="ephemeral", replace_original=False)


def _no_detail(_payload: dict[str, Any]) -> dict[str, Any]:
    return {}


def on_action(
    app: App,
    deps: Deps,
    action_id: str,
    *,
    role: Role,
    what: str,
    detail: Detail = _no_detail,
    by_message: bool = False,
) -> Callable[[Callable[[Action], None]], Callable[[Action], None]]:
    """Register `handler(action)` for `action_id`, for people with `role`; the others are told
    they may not `what` (by direct message when `by_message`: a Home tab has no thread)."""

    def register(handler: Callable[[Action], None]) -> Callable[[Action], None]:
        @app.action(action_id)
        def pressed(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
            ack()
            action = Action(
                user=body["user"]["id"],
                value=body["actions"][0].get("value", ""),
                trigger_id=body.get("trigger_id", ""),
                body=body,
                respond=respond,
            )
            if deps.approvers.allows(action.user, role):
                handler(action)
                return
            reply: Reply = action.reply
            if by_message:

                def reply(text: str, blocks: list[dict[str, Any]] | None = None) -> None:
                    deps.client.chat_postMessage(channel=action.user, text=text)

            deps.refuse(action.user, what, reply, detail(body) or None)

        return handler

    return register


@dataclass(frozen=True)
class Submission:
    """A form submitted by someone allowed to submit it; the handler acknowledges."""

    user: str
    view: dict[str, Any]
    ack: Ack

    @property
    def values(self) -> dict[str, Any]:
        values: dict[str, Any] = self.view["state"]["values"]
        return values

    def reject(self, refused: Invalid, fallback: str) -> None:
        """Keep the form open with the use case's refusal beside the input it names (beside
        `fallback` when it names none): nothing was saved."""
        self.ack(
            response_action="errors", errors={refused.field or fallback: say(refused.phrase)[:150]}
        )


def reminder_of(view: dict[str, Any]) -> dict[str, Any]:
    """The reminder a card's modal is about (its private metadata), for a refusal's record."""
    return {"reminder": int(view["private_metadata"])}


def inbound_of(view: dict[str, Any]) -> dict[str, Any]:
    """The inbound message a thread's modal is about (its private metadata), likewise."""
    return {"inbound": int(view["private_metadata"])}


def on_submission(
    app: App,
    deps: Deps,
    callback_id: str,
    *,
    role: Role,
    what: str,
    block: str,
    detail: Detail = _no_detail,
) -> Callable[[Callable[[Submission], None]], Callable[[Submission], None]]:
    """Register `handler(submission)` for the modal `callback_id`, for people with `role`; for
    the others the form shows the refusal on `block`, and the attempt is recorded."""

    def register(handler: Callable[[Submission], None]) -> Callable[[Submission], None]:
        @app.view(callback_id)
        def submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
            user = body["user"]["id"]
            if deps.approvers.allows(user, role):
                handler(Submission(user, view, ack))
                return
            refuse_submission(deps, ack, user, block, what, detail(view) or None)

        return handler

    return register
