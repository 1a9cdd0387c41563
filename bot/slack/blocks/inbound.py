"""A message read from the reply mailbox, as posted in the customer's card thread (or the
digest channel when nobody could tell whose it is). Everything in it is the sender's text:
escaped, and cut to Slack's limits."""

from __future__ import annotations

from bot.domain.inbound import PERSON_WROTE, Kind
from bot.rendering.staff_text import N_, _, say
from bot.services.inbox.actions import OpenAccount
from bot.services.inbox.posting import InboundView
from bot.services.inbox.replies import ReplyDraft
from bot.services.reminders.editing import PART_SIZE
from bot.slack.blocks.common import Block, actions, button, context, section
from bot.slack.mrkdwn import escape, quote, truncate

RESUME = "inbound_resume"
REPLY = "inbound_reply"
REPLY_CALLBACK = "inbound_reply_submitted"
DISPUTE, DISPUTE_CALLBACK = "inbound_dispute", "inbound_dispute_submitted"
PROMISE, PROMISE_CALLBACK = "inbound_promise", "inbound_promise_submitted"
PAID = "inbound_paid"
COPIES = "inbound_send_copies"
ASSIGN, ASSIGN_CALLBACK = "inbound_assign", "inbound_assign_submitted"
CONFIRM = "inbound_confirm"
KIND_WORDS = {
    Kind.REPLY: N_("💬 Reply"),
    Kind.COPY_REQUEST: N_("📄 Asks for a copy"),
    Kind.BOUNCE: N_("❗ Hard bounce"),
    Kind.DELAY: N_("⏳ Delivery delayed"),
    Kind.OUT_OF_OFFICE: N_("🏖️ Out of office"),
    Kind.LEFT_COMPANY: N_("🚪 Contact has left"),
    Kind.AUTO_REPLY: N_("🤖 Automatic answer"),
    Kind.UNREADABLE: N_("⚠️ Unreadable message, set aside"),
}
MATCH_WORDS = {
    "thread": N_("answers a reminder"),
    "subject": N_("invoice number in the subject"),
    "sender": N_("sender's address"),
    "domain": N_("sender's domain"),
    "person": N_("assigned by a person"),
    "": N_("unmatched: please find the customer"),
}
MAX_QUOTED = 2500
REPLY_PARTS = 2


def _size(size: int) -> str:
    amount = float(size)
    for unit in ("B", "KB", "MB"):
        if amount < 1024 or unit == "MB":
            return f"{amount:.0f} {unit}" if unit == "B" else f"{amount:.1f} {unit}"
        amount /= 1024
    return ""


def inbound_fallback(view: InboundView) -> str:
    who = view.customer_name or view.sender or _("unknown sender")
    return truncate(_("{kind} from {who}", kind=_kind(view.kind), who=escape(who)), 300)


def _kind(kind: Kind) -> str:
    return _(KIND_WORDS[kind])


def inbound_blocks(view: InboundView) -> list[Block]:
    kind = _kind(view.kind)
    customer = f"*{escape(view.customer_name)}*" if view.customer_name else _("*no customer*")
    sender = escape(f"{view.sender_name} <{view.sender}>" if view.sender_name else view.sender)
    blocks = [
        section(
            f"{kind} · {customer}\n"
            + _("From: {sender}", sender=sender)
            + "\n"
            + _("Subject: {subject}", subject=escape(view.subject) or "—")
        ),
    ]
    if view.reason:
        blocks.append(section(_("Why it was set aside: {reason}", reason=escape(view.reason))))
    if view.text:
        blocks.append(section(quote(view.text, MAX_QUOTED)))
    if view.attachments:
        listed = ", ".join(f"{escape(name)} ({_size(size)})" for name, size in view.attachments)
        blocks.append(context(f"📎 {listed}"))
    blocks.append(
        context(
            _(
                "Matched by: {how} · {consequence}",
                how=_(MATCH_WORDS[view.matched_by]) if view.matched_by in MATCH_WORDS else "",
                consequence=escape(say(view.consequence)),
            )
        )
    )
    buttons = []
    if view.awaiting_confirmation:
        blocks.append(
            context(
                _(
                    "⚠️ Anyone can write a sender, a subject or a reply header: this message is "
                    "not authenticated as the customer's. *Confirm* only if you know it is theirs."
                )
            )
        )
        buttons.append(button(_("Confirm — it is theirs"), CONFIRM, str(view.id), style="danger"))
    trusted = view.customer_id is not None and not view.awaiting_confirmation
    if trusted and view.kind == Kind.COPY_REQUEST:  # documents go only to a sender vouched for
        buttons.append(button(_("Send copies"), COPIES, str(view.id), style="primary"))
    if view.customer_id is not None and view.kind in PERSON_WROTE:
        buttons += [
            button(_("Reply"), REPLY, str(view.id), style="primary" if not buttons else None),
            button(_("Dispute"), DISPUTE, str(view.id)),
            button(_("Promise"), PROMISE, str(view.id)),
            button(_("Mark paid — check next import"), PAID, str(view.id)),
        ]
    if view.customer_id is not None and view.kind in (
        *PERSON_WROTE,
        Kind.LEFT_COMPANY,
        Kind.OUT_OF_OFFICE,
    ):
        buttons.append(button(_("Resume reminders"), RESUME, view.customer_ref))
    if view.customer_id is None:
        buttons.append(button(_("Assign to a customer"), ASSIGN, str(view.id), style="primary"))
    if buttons:
        blocks.append(actions(f"inbound_{view.id}", *buttons))
    return blocks


def reply_part_ids() -> list[str]:
    """`text`, `text_2`: the answer's parts, in order (one Slack input holds 3,000 characters)."""
    return ["text", *(f"text_{n}" for n in range(2, REPLY_PARTS + 1))]


def reply_modal(draft: ReplyDraft) -> Block:
    parts = reply_part_ids()
    return {
        "type": "modal",
        "callback_id": REPLY_CALLBACK,
        "private_metadata": str(draft.inbound_id),
        "title": {"type": "plain_text", "text": _("Reply")},
        "submit": {"type": "plain_text", "text": _("Send")},
        "close": {"type": "plain_text", "text": _("Cancel")},
        "blocks": [
            section(
                _(
                    "To *{customer}* — {to}",
                    customer=escape(draft.customer_name),
                    to=escape(draft.to),
                )
                + "\n"
                + _("Subject: {subject}", subject=escape(draft.subject))
                + "\n"
                + _("Sent as written, threaded to their message, once.")
            ),
            *(
                _input(
                    block_id,
                    _("Your answer") if n == 1 else _("Your answer, continued"),
                    {"type": "plain_text_input", "multiline": True, "max_length": PART_SIZE},
                    optional=n > 1,
                )
                for n, block_id in enumerate(parts, 1)
            ),
            context(
                _("A longer answer goes on in the second box: sent as one, a blank line between.")
            ),
        ],
    }


def _modal(callback_id: str, inbound_id: int, title: str, blocks: list[Block]) -> Block:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": str(inbound_id),
        "title": {"type": "plain_text", "text": title},
        "submit": {"type": "plain_text", "text": _("Save")},
        "close": {"type": "plain_text", "text": _("Cancel")},
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
        _("Dispute"),
        [
            section(_("What does *{customer}* dispute?", customer=escape(account.customer_name))),
            _input("invoices", _("Invoices"), {"type": "multi_static_select", "options": options}),
            _input(
                "reason",
                _("Reason"),
                {"type": "plain_text_input", "multiline": True, "max_length": 2000},
            ),
        ],
    )


def promise_modal(account: OpenAccount) -> Block:
    return _modal(
        PROMISE_CALLBACK,
        account.inbound_id,
        _("Promise to pay"),
        [
            section(_("*{customer}* promises to pay", customer=escape(account.customer_name))),
            _input("date", _("By"), {"type": "datepicker"}),
            _input(
                "amount",
                _("Amount (empty: everything open)"),
                {"type": "plain_text_input", "max_length": 30},
                optional=True,
            ),
        ],
    )


def assign_modal(inbound_id: int) -> Block:
    return _modal(
        ASSIGN_CALLBACK,
        inbound_id,
        _("Assign"),
        [
            section(_("Whose message is this? It then goes to that customer's card thread.")),
            _input(
                "customer",
                _("Customer (name or id)"),
                {"type": "plain_text_input", "max_length": 200},
            ),
        ],
    )
