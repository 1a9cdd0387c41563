"""Modals: edit a reminder before approving it, skip it with a reason."""

from __future__ import annotations

from typing import Any

from bot.domain.calls import OUTCOMES
from bot.rendering.staff_text import N_, _
from bot.services.operations.app_settings import LIMITS
from bot.services.overview.reminder_view import ReminderView
from bot.services.reminders.editing import MAX_SUBJECT, PART_SIZE, LetterChoice, split_body
from bot.slack.blocks.common import Block, context, section
from bot.slack.ids import CALL_CALLBACK, EDIT_CALLBACK, SETTINGS_CALLBACK, SKIP_CALLBACK
from bot.slack.mrkdwn import escape, truncate

APPROVE_OPTION: Block = {
    "text": {"type": "plain_text", "text": N_("Approve it: send my version")},
    "value": "approve",
}
LETTER_CHOICES = {
    LetterChoice.REWRITE: N_("Rewrite it from the edited text"),
    LetterChoice.KEEP: N_("Keep it as it was suggested"),
}
SKIP_REASONS = {
    "paid": N_("Customer says it is paid"),
    "contacted": N_("Already in touch with the customer"),
    "wrong": N_("Amount or invoice is wrong"),
    "wrong_contact": N_("Wrong contact"),
    "relationship": N_("Not now: the relationship needs care"),
    "other": N_("Other (see the note)"),
}


def _title(text: str) -> Block:
    """A modal's title, submit or close: `text` is a msgid, shown in the staff language."""
    return {"type": "plain_text", "text": truncate(_(text), 24)}


def _plain(text: str) -> Block:
    return {"type": "plain_text", "text": text}


def loading_modal(callback_id: str) -> Block:
    """Opened at once (a trigger_id lives about three seconds), then filled by views.update."""
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": _title(N_("Relance")),
        "blocks": [section(_("Loading the reminder…"))],
    }


def _text_input(block_id: str, label: str, value: str, max_length: int, **extra: object) -> Block:
    return {
        "type": "input",
        "block_id": block_id,
        "label": _plain(label),
        "optional": bool(extra.pop("optional", False)),
        "element": {
            "type": "plain_text_input",
            "action_id": "value",
            "max_length": max_length,
            **({"initial_value": value} if value else {}),
            **extra,
        },
    }


def body_block_ids(count: int) -> list[str]:
    """`body`, `body_2`, `body_3`…: the message's parts, in order."""
    return ["body", *(f"body_{n}" for n in range(2, count + 1))]


def edit_modal(view: ReminderView) -> Block:
    """Subject and message as plain text. A message longer than one Slack input (3,000
    characters, a final notice) is shown in several parts, plus an empty one to write more."""
    parts = split_body(view.body_text)
    if len(parts) > 1:
        parts.append("")
    note = _(
        "What you write is sent exactly as written: nothing in it is replaced "
        "(no placeholders). The original is kept in the audit trail."
    )
    if len(parts) > 1:
        note += " " + _("The parts are sent as one message, a blank line between them.")
    blocks: list[Block] = [
        section(f"*{escape(view.customer_name)}* · {escape(view.stage)} · {view.language}"),
        _text_input("subject", _("Subject"), view.subject[:MAX_SUBJECT], MAX_SUBJECT),
        *_message_inputs(parts),
        _after_saving(),
        *([_letter_choice()] if view.has_letter else []),
        context(note),
    ]
    return {
        "type": "modal",
        "callback_id": EDIT_CALLBACK,
        "private_metadata": str(view.id),
        "title": _title(N_("Edit reminder")),
        "submit": _title(N_("Save")),
        "close": _title(N_("Cancel")),
        "blocks": blocks,
    }


def _message_inputs(parts: list[str]) -> list[Block]:
    """The message in one input, or in numbered parts (the first required)."""
    return [
        _text_input(
            block_id,
            _("Message")
            if len(parts) == 1
            else _("Message, part {part} of {parts}", part=n, parts=len(parts)),
            part,
            PART_SIZE,
            multiline=True,
            optional=n > 1,
        )
        for n, (block_id, part) in enumerate(zip(body_block_ids(len(parts)), parts, strict=True), 1)
    ]


def _after_saving() -> Block:
    """Approve on saving: ticked unless the editor unticks it."""
    approve = {**APPROVE_OPTION, "text": _plain(_(APPROVE_OPTION["text"]["text"]))}
    return {
        "type": "input",
        "block_id": "approve",
        "optional": True,
        "label": _plain(_("After saving")),
        "element": {
            "type": "checkboxes",
            "action_id": "value",
            "options": [approve],
            "initial_options": [approve],
        },
    }


def _letter_choice() -> Block:
    """What becomes of the PDF letter of a final notice."""
    options = [
        {"text": _plain(_(label)), "value": choice.value}
        for choice, label in LETTER_CHOICES.items()
    ]
    return {
        "type": "input",
        "block_id": "letter",
        "label": _plain(_("The PDF letter")),
        "element": {
            "type": "radio_buttons",
            "action_id": "value",
            "options": options,
            "initial_option": options[0],
        },
    }


def skip_modal(view: ReminderView) -> Block:
    options = [{"text": _plain(_(label)), "value": key} for key, label in SKIP_REASONS.items()]
    return {
        "type": "modal",
        "callback_id": SKIP_CALLBACK,
        "private_metadata": str(view.id),
        "title": _title(N_("Skip reminder")),
        "submit": _title(N_("Skip")),
        "close": _title(N_("Cancel")),
        "blocks": [
            section(
                _(
                    "Skip today's reminder “{stage}” to *{customer}*?",
                    stage=escape(view.stage),
                    customer=escape(view.customer_name),
                )
            ),
            {
                "type": "input",
                "block_id": "reason",
                "label": _plain(_("Why")),
                "element": {"type": "static_select", "action_id": "value", "options": options},
            },
            {
                "type": "input",
                "block_id": "note",
                "optional": True,
                "label": _plain(_("Note")),
                "element": {"type": "plain_text_input", "action_id": "value", "max_length": 500},
            },
            context(
                _(
                    "_{paid}_ holds the customer for a few days, until the next import can show "
                    "the payment. _{wrong_contact}_ holds them until an import changes their "
                    "e-mail address. The digest lists who is held.",
                    paid=_(SKIP_REASONS["paid"]),
                    wrong_contact=_(SKIP_REASONS["wrong_contact"]),
                )
            ),
        ],
    }


def log_call_modal(
    customer_name: str, customer_ref: str, reminder_id: int | None, outcome: str | None
) -> Block:
    options = [{"text": _plain(_(label)), "value": key} for key, label in OUTCOMES.items()]
    select: Block = {"type": "static_select", "action_id": "value", "options": options}
    if outcome in OUTCOMES:
        select["initial_option"] = next(o for o in options if o["value"] == outcome)
    return {
        "type": "modal",
        "callback_id": CALL_CALLBACK,
        "private_metadata": f"{customer_ref}|{reminder_id or ''}",
        "title": _title(N_("Log a call")),
        "submit": _title(N_("Save")),
        "close": _title(N_("Cancel")),
        "blocks": [
            section(_("Call with *{customer}*", customer=escape(customer_name))),
            {
                "type": "input",
                "block_id": "outcome",
                "label": _plain(_("Outcome")),
                "element": select,
            },
            {
                "type": "input",
                "block_id": "promise_date",
                "optional": True,
                "label": _plain(_("Promised payment date")),
                "element": {"type": "datepicker", "action_id": "value"},
            },
            {
                "type": "input",
                "block_id": "amount",
                "optional": True,
                "label": _plain(_("Amount promised (blank: in full)")),
                "element": {"type": "plain_text_input", "action_id": "value", "max_length": 30},
            },
            {
                "type": "input",
                "block_id": "notes",
                "optional": True,
                "label": _plain(_("Notes")),
                "element": {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "multiline": True,
                    "max_length": 2000,
                },
            },
        ],
    }


def _number_input(block_id: str, label: str, value: object, decimal: bool = False) -> Block:
    return {
        "type": "input",
        "block_id": block_id,
        "label": _plain(label),
        "element": {
            "type": "number_input",
            "action_id": "value",
            "is_decimal_allowed": decimal,
            "initial_value": str(value),
        },
    }


def settings_modal(values: dict[str, Any]) -> Block:
    """Leads only: when and where the digest goes, who decides, the limits."""
    return {
        "type": "modal",
        "callback_id": SETTINGS_CALLBACK,
        "title": _title(N_("Relance settings")),
        "submit": _title(N_("Save")),
        "close": _title(N_("Cancel")),
        "blocks": [*_digest_and_approvers(values), *_limits(values)],
    }


def _digest_and_approvers(values: dict[str, Any]) -> list[Block]:
    """When and where the digest goes, and who decides."""
    users: Block = {"type": "multi_users_select", "action_id": "value"}
    if values["approvers"]:
        users["initial_users"] = values["approvers"]
    channel: Block = {
        "type": "conversations_select",
        "action_id": "value",
        "filter": {"include": ["public", "private"]},
    }
    if values["digest_channel"]:
        channel["initial_conversation"] = values["digest_channel"]
    return [
        {
            "type": "input",
            "block_id": "digest_time",
            "label": _plain(_("Digest time (business days)")),
            "element": {
                "type": "timepicker",
                "action_id": "value",
                "initial_time": values["digest_time"][:5],
            },
        },
        {
            "type": "input",
            "block_id": "digest_channel",
            "label": _plain(_("Digest channel")),
            "element": channel,
        },
        {
            "type": "input",
            "block_id": "approvers",
            "optional": True,
            "label": _plain(_("Approvers")),
            "element": users,
        },
        {
            "type": "input",
            "block_id": "approver_groups",
            "optional": True,
            "label": _plain(_("Approver user groups (ids, comma-separated)")),
            "element": {
                "type": "plain_text_input",
                "action_id": "value",
                **(
                    {"initial_value": ", ".join(values["approver_groups"])}
                    if values["approver_groups"]
                    else {}
                ),
            },
        },
    ]


def _limits(values: dict[str, Any]) -> list[Block]:
    """The policy's limits a lead may change here."""
    return [
        _number_input(
            "max_contacts_per_30_days",
            _("Most contacts per customer in 30 days"),
            values["max_contacts_per_30_days"],
        ),
        _number_input("max_instalments", _("Plans: most instalments"), values["max_instalments"]),
        _number_input(
            "longest_span_days", _("Plans: longest span (days)"), values["longest_span_days"]
        ),
        _number_input(
            "least_first_payment_percent",
            _("Plans: least first payment (%)"),
            values["least_first_payment_percent"],
            decimal=True,
        ),
        _number_input(
            "max_discount_percent",
            _("Most early-payment discount (%)"),
            values["max_discount_percent"],
            decimal=True,
        ),
    ]


def settings_values(state: dict[str, Any]) -> dict[str, Any]:
    """What the lead entered, back as plain values."""

    def element(block: str) -> dict[str, Any]:
        value: dict[str, Any] = state[block]["value"]
        return value

    groups = element("approver_groups").get("value") or ""
    return {
        "digest_time": element("digest_time").get("selected_time") or "",
        "digest_channel": element("digest_channel").get("selected_conversation") or "",
        "approvers": element("approvers").get("selected_users") or [],
        "approver_groups": [g.strip() for g in groups.split(",") if g.strip()],
        **{key: element(key).get("value") for key in LIMITS},
    }
