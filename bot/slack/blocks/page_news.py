"""What a customer did on their page, as a message for the collectors, with the buttons they
need; and the *New link* button of `/relance customer`."""

from __future__ import annotations

import json

from bot.services.customer_page import News
from bot.slack.blocks.common import Block, actions, button, confirm_dialog, context, section
from bot.slack.mrkdwn import escape, quote

PAGE_HANDLE = "page_handle"
PAGE_ACCOUNT = "page_account"
PAGE_NEW_LINK = "page_new_link"
PAGE_CONTACT_ACCEPT = "page_contact_accept"

HEADLINES = {
    "paid": "says they have paid",
    "promise": "promised to pay",
    "dispute": "disputes an invoice",
    "plan": "asks for a payment plan",
    "contact": "asks to change their billing contact",
}
HANDLE_LABELS = {
    "paid": "Payment checked",
    "promise": "Accept promise",
    "dispute": "Open dispute",
    "plan": "Take plan request",
    "contact": "Change accepted",
}


def news_text(news: News) -> str:
    """The message's `text` (its notification and fallback): mrkdwn like the blocks, so the
    customer's name is escaped there too."""
    return f"{escape(news.customer_name)} {HEADLINES[news.kind]} on their page"


def news_blocks(news: News) -> list[Block]:
    facts = "\n".join(
        (f"*{label}:* {escape(value)}" if label else quote(value, 1500))
        for label, value in news.facts
        if value
    )
    lead = ""
    value = json.dumps({"c": news.customer_id, "k": news.kind, "i": list(news.invoice_numbers)[:5]})
    handle = button(HANDLE_LABELS[news.kind], PAGE_HANDLE, value[:2000], style="primary")
    if news.request_id is not None:  # a contact change: applied only when a collector accepts
        lead += "\n:warning: Nothing changes until you accept; the address on record was told."
        handle = button("Accept change", PAGE_CONTACT_ACCEPT, str(news.request_id), style="primary")
    return [
        section(
            f":globe_with_meridians: *{escape(news.customer_name)}* {HEADLINES[news.kind]} on their page.{lead}"
        ),
        section(facts or "—"),
        actions(
            "page_news",
            handle,
            button("Open account", PAGE_ACCOUNT, news.customer_ref),
        ),
    ]


def handled_blocks(blocks: list[Block], label: str, user: str) -> list[Block]:
    """The same message with its buttons replaced by who did what."""
    kept = [b for b in blocks if b.get("type") != "actions"]
    return [*kept, context(f":white_check_mark: {escape(label)} by <@{escape(user)}>")]


def new_link_button(customer_ref: str) -> Block:
    return actions(
        "page_link",
        button(
            "New link",
            PAGE_NEW_LINK,
            customer_ref,
            confirm=confirm_dialog(
                "New page link?",
                "Every link already sent to this customer stops working.",
                "Replace the link",
            ),
        ),
    )
