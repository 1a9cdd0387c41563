"""What a customer did on their page, as a message for the collectors, with the buttons they
need; and the *New link* button of `/relance customer`."""

from __future__ import annotations

import json

from bot.rendering.staff_text import N_, _
from bot.services.page.customer_page import News
from bot.services.page.dispute_files import FILE_LINK_DAYS
from bot.slack.blocks.common import Block, actions, button, confirm_dialog, context, section
from bot.slack.mrkdwn import escape, quote

PAGE_HANDLE = "page_handle"
PAGE_ACCOUNT = "page_account"
PAGE_NEW_LINK = "page_new_link"
PAGE_CONTACT_ACCEPT = "page_contact_accept"

#: what the customer did, the customer's name as {customer}
HEADLINES = {
    "paid": N_("{customer} says they have paid on their page"),
    "promise": N_("{customer} promised to pay on their page"),
    "dispute": N_("{customer} disputes an invoice on their page"),
    "plan": N_("{customer} asks for a payment plan on their page"),
    "contact": N_("{customer} asks to change their billing contact on their page"),
}
HANDLE_LABELS = {
    "paid": N_("Payment checked"),
    "promise": N_("Accept promise"),
    "dispute": N_("Open dispute"),
    "plan": N_("Take plan request"),
    "contact": N_("Change accepted"),
}


def news_text(news: News) -> str:
    """The message's `text` (its notification and fallback): mrkdwn like the blocks, so the
    customer's name is escaped there too."""
    return _(HEADLINES[news.kind], customer=escape(news.customer_name))


def news_blocks(news: News) -> list[Block]:
    facts = "\n".join(
        (f"*{_(label)}:* {escape(value)}" if label else quote(value, 1500))
        for label, value in news.facts
        if value
    )
    if news.file_link:  # opened by a signed link that expires: never the file in Slack
        facts += "\n:paperclip: " + _(
            "<{link}|{name}> (the link works for {days} days)",
            link=news.file_link,
            name=escape(news.file_name),
            days=FILE_LINK_DAYS,
        )
    lead = ""
    value = json.dumps({"c": news.customer_id, "k": news.kind, "i": list(news.invoice_numbers)[:5]})
    handle = button(_(HANDLE_LABELS[news.kind]), PAGE_HANDLE, value[:2000], style="primary")
    if news.request_id is not None:  # a contact change: applied only when a collector accepts
        lead += "\n:warning: " + _(
            "Nothing changes until you accept; the address on record was told."
        )
        handle = button(
            _("Accept change"), PAGE_CONTACT_ACCEPT, str(news.request_id), style="primary"
        )
    return [
        section(
            ":globe_with_meridians: "
            + _(HEADLINES[news.kind], customer=f"*{escape(news.customer_name)}*")
            + f".{lead}"
        ),
        section(facts or "—"),
        actions(
            "page_news",
            handle,
            button(_("Open account"), PAGE_ACCOUNT, news.customer_ref),
        ),
    ]


def handled_blocks(blocks: list[Block], label: str, user: str) -> list[Block]:
    """The same message with its buttons replaced by who did what."""
    kept = [b for b in blocks if b.get("type") != "actions"]
    return [
        *kept,
        context(
            ":white_check_mark: "
            + _("{action} by <@{user}>", action=escape(label), user=escape(user))
        ),
    ]


def new_link_button(customer_ref: str) -> Block:
    return actions(
        "page_link",
        button(
            _("New link"),
            PAGE_NEW_LINK,
            customer_ref,
            confirm=confirm_dialog(
                _("New page link?"),
                _("Every link already sent to this customer stops working."),
                _("Replace the link"),
            ),
        ),
    )
