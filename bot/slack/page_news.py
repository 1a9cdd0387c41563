"""Posting a customer's news from their page where the collector works."""

from __future__ import annotations

from collections.abc import Callable

from slack_sdk import WebClient

from bot.services.page.customer_page import News
from bot.slack.blocks.page_news import news_blocks, news_text


def news_poster(client: WebClient) -> Callable[[News], None]:
    def post(news: News) -> None:
        if not news.target_channel:
            raise RuntimeError("no channel for the customer's news: set RELANCE_DIGEST_CHANNEL")
        client.chat_postMessage(
            channel=news.target_channel,
            thread_ts=news.target_thread,
            text=news_text(news),
            blocks=news_blocks(news),
            unfurl_links=False,
            unfurl_media=False,
        )

    return post
