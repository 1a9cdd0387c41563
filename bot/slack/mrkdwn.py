"""User text is data: customer names, notes and edits are escaped before they reach mrkdwn, so
a customer called `<!channel>` pings nobody and `<https://evil|bank>` links nowhere."""

from __future__ import annotations


def escape(text: str) -> str:
    """Slack's three control characters, as its formatting guide asks."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def quote(text: str, limit: int) -> str:
    """Escaped text as a mrkdwn block quote, cut to `limit` characters."""
    lines = truncate(escape(text.strip()), limit).split("\n")
    return "\n".join(f">{line}" for line in lines)
