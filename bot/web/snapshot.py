"""One customer's page written to a file, and its link (for `relance demo`)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from bot.services.common.context import Runtime
from bot.services.page import page_links
from bot.web.app import PageApp

DEMO_SECRET = "demo-only-page-secret"
DEMO_PUBLIC_URL = "http://127.0.0.1:3001"


def with_demo_page(runtime: Runtime) -> None:
    """The demo's own page settings when none are configured (never for real customers)."""
    if not page_links.enabled(runtime.settings):
        runtime.settings = replace(
            runtime.settings, page_secret=DEMO_SECRET, public_url=DEMO_PUBLIC_URL
        )


def write_page(runtime: Runtime, customer_id: int, out: Path) -> str:
    """Renders the page the customer's link opens into `out`; returns the link."""
    settings, now = runtime.settings, runtime.now()
    url = page_links.page_url(runtime.engine, settings, customer_id, now)
    token = url.rsplit("/", 1)[1]
    holder = page_links.resolve(runtime.engine, settings, token, now)
    page = PageApp(runtime, post_news=lambda _news: None)
    body = page.render(holder, token, "").body
    assert isinstance(body, str)  # a rendered page is text; only downloads are bytes
    out.write_text(body, encoding="utf-8")
    return url
