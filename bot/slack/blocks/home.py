"""The App Home tab: the ledger at a glance for the person who opens it."""

from __future__ import annotations

from bot.rendering.locale import staff_date
from bot.services.digest import PromiseLine
from bot.services.home import Home
from bot.slack.blocks.common import (
    MAX_HOME_BLOCKS,
    Block,
    actions,
    button,
    capped,
    context,
    divider,
    fit,
    header,
    line_sections,
    section,
)
from bot.slack.ids import OPEN_DIGEST, OPEN_SETTINGS
from bot.slack.mrkdwn import escape

BAR_WIDTH = 20


def _bar(value: float, most: float) -> str:
    filled = round(BAR_WIDTH * value / most) if most else 0
    return "█" * filled + "░" * (BAR_WIDTH - filled)


def _promise(p: PromiseLine, locale: str) -> str:
    return (
        f"• {staff_date(p.promised_date, locale)} *{escape(p.customer)}* `{escape(p.invoice)}` — "
        f"{(p.amount or p.balance).format(locale)}"
    )


def home_view(
    home: Home,
    locale: str,
    digest_url: str | None,
    lead: bool = False,
    top: list[Block] | None = None,
) -> Block:
    """`top`: blocks shown first (my morning); the ledger's figures follow, cut if need be."""
    blocks: list[Block] = [
        *(top or []),
        header("Relance — the ledger at a glance"),
        context(f"As of {staff_date(home.today, locale, 'full')}"),
    ]
    for c in home.currencies:
        dso = f"{c.dso:.0f} days" if c.dso is not None else "not enough sales to count back"
        most = max((float(m.amount) for _b, m in c.buckets), default=0.0)
        bars = [
            f"`{b.value:<11}` {_bar(float(m.amount), most)} {m.format(locale)}"
            for b, m in c.buckets
        ]
        blocks += [
            section(
                f"*{c.currency}* outstanding *{c.outstanding.format(locale)}* · overdue "
                f"*{c.overdue.format(locale)}* · over 90 days *{c.over_90_share:.0%}* · "
                f"DSO (countback) *{dso}*"
            ),
            section("\n".join(bars)),
        ]
    blocks += [
        divider(),
        section(
            f"*{home.awaiting}* reminder(s) await a decision today · *{home.yours_pending}*"
            f" you approved are waiting to go · *{home.failed_sends}* failed send(s)"
        ),
        section("*Promises due this week*"),
        *line_sections(
            capped([_promise(p, locale) for p in home.promises_this_week], 10, "…and {count} more"),
            empty="None.",
        ),
        section("*Broken promises*"),
        *line_sections(
            capped([_promise(p, locale) for p in home.promises_broken], 10, "…and {count} more"),
            empty="None.",
        ),
    ]
    buttons = []
    if digest_url:
        buttons.append(
            {
                "type": "button",
                "action_id": OPEN_DIGEST,
                "url": digest_url,
                "text": {"type": "plain_text", "text": "Open today's digest"},
            }
        )
    if lead:
        buttons.append(button("Settings", OPEN_SETTINGS, "settings"))
    if buttons:
        blocks.append(actions("home_actions", *buttons))
    return {"type": "home", "blocks": fit(blocks, MAX_HOME_BLOCKS, "Cut to fit Slack's Home tab.")}
