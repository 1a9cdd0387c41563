"""The buttons of a customer's page news (*Accept promise*, *Open dispute*, …, *Open account*)
and `/relance customer`'s *New link*: approvers only."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond

from bot.rendering.staff_text import N_, _, say
from bot.services.accounts import contact_changes
from bot.services.accounts.account import account
from bot.services.common.errors import Invalid
from bot.services.page.answers import mark_handled
from bot.services.page.page_links import new_link
from bot.slack.blocks.account import account_blocks
from bot.slack.blocks.page_news import (
    HANDLE_LABELS,
    PAGE_ACCOUNT,
    PAGE_CONTACT_ACCEPT,
    PAGE_HANDLE,
    PAGE_NEW_LINK,
    handled_blocks,
)
from bot.slack.deps import Deps
from bot.slack.mrkdwn import escape
from bot.slack.request_checks import reminder_id


def register(app: App, deps: Deps) -> None:
    for action_id, work in (
        (PAGE_HANDLE, _handle),
        (PAGE_CONTACT_ACCEPT, _accept_contact),
        (PAGE_ACCOUNT, _show_account),
        (PAGE_NEW_LINK, _renew),
    ):
        _on_click(app, deps, action_id, work)


def _on_click(
    app: App, deps: Deps, action_id: str, work: Callable[[Deps, dict[str, Any], Respond], None]
) -> None:
    @app.action(action_id)
    def clicked(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        work(deps, body, respond)


def _allowed(deps: Deps, body: dict[str, Any], respond: Respond, verb: str) -> str | None:
    """The clicking approver's id; anyone else is refused (and it is logged)."""
    user: str = body["user"]["id"]

    def reply(text: str, blocks: list[dict[str, Any]] | None = None) -> None:
        respond(text=text, response_type="ephemeral", replace_original=False)

    if not deps.approvers.may_decide(user):
        deps.refuse(user, verb, reply)
        return None
    return user


def _mark_message(deps: Deps, body: dict[str, Any], label: str, user: str) -> None:
    """The news message updated to say who took it up."""
    message = body.get("message", {})
    deps.client.chat_update(
        channel=body["channel"]["id"],
        ts=message.get("ts", ""),
        text=message.get("text") or _("A customer's answer from their page"),
        blocks=handled_blocks(message.get("blocks", []), label, user),
    )


def _handle(deps: Deps, body: dict[str, Any], respond: Respond) -> None:
    user = _allowed(deps, body, respond, N_("take up a customer's answer"))
    if user is None:
        return
    value = json.loads(body["actions"][0]["value"])
    mark_handled(deps.runtime.engine, int(value["c"]), value["k"], value["i"], user)
    _mark_message(deps, body, _(HANDLE_LABELS[value["k"]]), user)


def _accept_contact(deps: Deps, body: dict[str, Any], respond: Respond) -> None:
    """The customer's new billing contact applied, once: the first collector wins."""
    user = _allowed(deps, body, respond, N_("accept a customer's new billing contact"))
    if user is None:
        return
    number = reminder_id(body["actions"][0]["value"])  # a positive whole number, or None
    try:
        if number is None:
            raise LookupError("no request")
        decided = contact_changes.accept(deps.runtime.engine, number, user, deps.runtime.now())
    except LookupError:
        respond(
            text=_("Sorry, this button names no contact change; nothing was done."),
            response_type="ephemeral",
            replace_original=False,
        )
        return
    if not decided.won:
        respond(
            text=_("<@{user}> already accepted this change.", user=escape(decided.decided_by)),
            response_type="ephemeral",
            replace_original=False,
        )
        return
    _mark_message(deps, body, _(HANDLE_LABELS["contact"]), user)


def _show_account(deps: Deps, body: dict[str, Any], respond: Respond) -> None:
    if _allowed(deps, body, respond, N_("see a customer's account")) is None:
        return
    found = account(deps.runtime.engine, body["actions"][0]["value"], deps.today())
    respond(
        text=_("Account of {customer}", customer=escape(found.customer.name)),
        blocks=account_blocks(found, deps.runtime.settings.locale),
        response_type="ephemeral",
        replace_original=False,
    )


def _renew(deps: Deps, body: dict[str, Any], respond: Respond) -> None:
    user = _allowed(deps, body, respond, N_("replace a customer's page link"))
    if user is None:
        return
    try:
        renewed = new_link(
            deps.runtime.engine,
            deps.runtime.settings,
            body["actions"][0]["value"],
            user,
            deps.runtime.now(),
        )
    except Invalid as exc:
        text = say(exc.phrase)
    else:
        text = _(
            "New page link for *{customer}* (generation {generation}); every earlier link "
            "now shows nothing. The next reminder carries it: {url}",
            customer=escape(renewed.customer_name),
            generation=renewed.generation,
            url=renewed.url,
        )
    respond(text=text, response_type="ephemeral", replace_original=False)
