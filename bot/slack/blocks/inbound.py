"""A message read from the reply mailbox, as posted in the customer's card thread (or the
digest channel when nobody could tell whose it is). Everything in it is the sender's text:
escaped, and cut to Slack's limits."""

from __future__ import annotations

from bot.services.inbox import InboundView
from bot.services.inbox_actions import OpenAccount
from bot.services.replies import MAX_TEXT, ReplyDraft
from bot.slack.blocks.common import Block, actions, button, context, section
from bot.slack.mrkdwn import escape, quote, truncate

RESUME = "inbound_resume"
REPLY = "inbound_reply"
REPLY_CALLBACK = "inbound_reply_submitted"
DISPUTE, DISPUTE_CALLBACK = "inbound_dispute", "inbound_dispute_submitted"
PROMISE, PROMISE_CALLBACK = "inbound_promise", "inbound_promise_submitted"
PAID = "inbound_paid"
COPIES = "inbound_send_copies"
#: kinds a person wrote: answered, acted on (`domain.inbound.PERSON_WROTE`)
PERSON_WROTE = ("reply", "copy_request")
ASSIGN, ASSIGN_CALLBACK = "inbound_assign", "inbound_assign_submitted"
CONFIRM = "inbound_confirm"
KIND_WORDS = {
    "reply": "💬 Reply",
    "copy_request": "📄 Asks for a copy",
    "bounce": "❗ Hard bounce",
    "delay": "⏳ Delivery delayed",
    "out_of_office": "🏖️ Out of office",
    "left_company": "🚪 Contact has left",
    "auto_reply": "🤖 Automatic answer",
    "unreadable": "⚠️ Unreadable message, set aside",
}
MATCH_WORDS = {
    "thread": "answers a reminder",
    "subject": "invoice number in the subject",
    "sender": "sender's address",
    "domain": "sender's domain",
    "person": "assigned by a person",
    "": "unmatched: please find the customer",
}
MAX_QUOTED = 2500


def _size(size: int) -> str:
    amount = float(size)
    for unit in ("B", "KB", "MB"):
        if amount < 1024 or unit == "MB":
            return f"{amount:.0f} {unit}" if unit == "B" else f"{amount:.1f} {unit}"
        amount /= 1024
    return ""


def inbound_fallback(view: InboundView) -> str:
    who = view.customer_name or view.sender or "unknown sender"
    return truncate(f"{KIND_WORDS.get(view.kind, view.kind)} from {escape(who)}", 300)


def inbound_blocks(view: InboundView) -> list[Block]:
    kind = KIND_WORDS.get(view.kind, escape(view.kind))
    customer = f"*{escape(view.customer_name)}*" if view.customer_name else "*no customer*"
    sender = escape(f"{view.sender_name} <{view.sender}>" if view.sender_name else view.sender)
    blocks = [
        section(f"{kind} · {customer}\nFrom: {sender}\nSubject: {escape(view.subject) or '—'}"),
    ]
    if view.reason:
        blocks.append(section(f"Why it was set aside: {escape(view.reason)}"))
    if view.text:
        blocks.append(section(quote(view.text, MAX_QUOTED)))
    if view.attachments:
        listed = ", ".join(f"{escape(name)} ({_size(size)})" for name, size in view.attachments)
        blocks.append(context(f"📎 {listed}"))
    blocks.append(
        context(f"Matched by: {MATCH_WORDS.get(view.matched_by, '')} · {escape(view.consequence)}")
    )
    buttons = []
    if view.awaiting_confirmation:
        blocks.append(
            context(
                "⚠️ Anyone can write a sender, a subject or a reply header: this message is not "
                "authenticated as the customer's. *Confirm* only if you know it is theirs."
            )
        )
        buttons.append(button("Confirm — it is theirs", CONFIRM, str(view.id), style="danger"))
    trusted = view.customer_id is not None and not view.awaiting_confirmation
    if trusted and view.kind == "copy_request":  # documents go only to a sender vouched for
        buttons.append(button("Send copies", COPIES, str(view.id), style="primary"))
    if view.customer_id is not None and view.kind in PERSON_WROTE:
        buttons += [
            button("Reply", REPLY, str(view.id), style="primary" if not buttons else None),
            button("Dispute", DISPUTE, str(view.id)),
            button("Promise", PROMISE, str(view.id)),
            button("Mark paid — check next import", PAID, str(view.id)),
        ]
    if view.customer_id is not None and view.kind in (
        *PERSON_WROTE,
        "left_company",
        "out_of_office",
    ):
        buttons.append(button("Resume reminders", RESUME, view.customer_ref))
    if view.customer_id is None:
        buttons.append(button("Assign to a customer", ASSIGN, str(view.id), style="primary"))
    if buttons:
        blocks.append(actions(f"inbound_{view.id}", *buttons))
    return blocks


def reply_modal(draft: ReplyDraft) -> Block:
    return {
        "type": "modal",
        "callback_id": REPLY_CALLBACK,
        "private_metadata": str(draft.inbound_id),
        "title": {"type": "plain_text", "text": "Reply"},
        "submit": {"type": "plain_text", "text": "Send"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            section(
                f"To *{escape(draft.customer_name)}* — {escape(draft.to)}\n"
                f"Subject: {escape(draft.subject)}\n"
                "Sent as written, threaded to their message, once."
            ),
            {
                "type": "input",
                "block_id": "text",
                "label": {"type": "plain_text", "text": "Your answer"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "multiline": True,
                    "max_length": MAX_TEXT,
                },
            },
        ],
    }


def _modal(callback_id: str, inbound_id: int, title: str, blocks: list[Block]) -> Block:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": str(inbound_id),
        "title": {"type": "plain_text", "text": title},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }


def _input(block_id: str, label: str, element: Block, optional: bool = False) -> Block:
    return {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": {"type": "plain_text", "text": label},
        "element": {**element, "action_id": "value"},
    }


def dispute_modal(account: OpenAccount) -> Block:
    options = [
        {"text": {"type": "plain_text", "text": truncate(n, 75)}, "value": n}
        for n in account.invoices
    ]
    return _modal(
        DISPUTE_CALLBACK,
        account.inbound_id,
        "Dispute",
        [
            section(f"What does *{escape(account.customer_name)}* dispute?"),
            _input("invoices", "Invoices", {"type": "multi_static_select", "options": options}),
            _input(
                "reason",
                "Reason",
                {"type": "plain_text_input", "multiline": True, "max_length": 2000},
            ),
        ],
    )


def promise_modal(account: OpenAccount) -> Block:
    return _modal(
        PROMISE_CALLBACK,
        account.inbound_id,
        "Promise to pay",
        [
            section(f"*{escape(account.customer_name)}* promises to pay"),
            _input("date", "By", {"type": "datepicker"}),
            _input(
                "amount",
                "Amount (empty: everything open)",
                {"type": "plain_text_input", "max_length": 30},
                optional=True,
            ),
        ],
    )


def assign_modal(inbound_id: int) -> Block:
    return _modal(
        ASSIGN_CALLBACK,
        inbound_id,
        "Assign",
        [
            section("Whose message is this? It then goes to that customer's card thread."),
            _input(
                "customer",
                "Customer (name or id)",
                {"type": "plain_text_input", "max_length": 200},
            ),
        ],
    )
