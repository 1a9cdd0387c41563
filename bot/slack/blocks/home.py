"""The App Home tab: the ledger at a glance for the person who opens it."""

from __future__ import annotations

from decimal import Decimal

from bot.rendering.locale import percent, staff_date
from bot.rendering.staff_text import _, ngettext
from bot.services.overview.digest import PromiseLine
from bot.services.overview.home import CurrencyFigures, Home
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
from bot.slack.blocks.digest import bucket_label
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
        header(_("Relance — the ledger at a glance")),
        context(_("As of {date}", date=staff_date(home.today, locale, "full"))),
    ]
    for c in home.currencies:
        blocks += _currency_blocks(c, locale)
    blocks += [divider(), *_work_blocks(home, locale)]
    buttons = _buttons(digest_url, lead)
    if buttons:
        blocks.append(actions("home_actions", *buttons))
    return {
        "type": "home",
        "blocks": fit(blocks, MAX_HOME_BLOCKS, _("Cut to fit Slack's Home tab.")),
    }


def _currency_blocks(c: CurrencyFigures, locale: str) -> list[Block]:
    """One currency's figures, and its aging as bars."""
    dso = (
        ngettext("{count} day", "{count} days", round(c.dso))
        if c.dso is not None
        else _("not enough sales to count back")
    )
    most = max((float(m.amount) for _b, m in c.buckets), default=0.0)
    bars = [
        f"`{bucket_label(b):<11}` {_bar(float(m.amount), most)} {m.format(locale)}"
        for b, m in c.buckets
    ]
    return [
        section(
            _(
                "*{currency}* outstanding *{outstanding}* · overdue *{overdue}* · "
                "over 90 days *{share}* · DSO (countback) *{dso}*",
                currency=c.currency,
                outstanding=c.outstanding.format(locale),
                overdue=c.overdue.format(locale),
                share=percent((c.over_90_share * 100).quantize(Decimal(1)), locale),
                dso=dso,
            )
        ),
        section("\n".join(bars)),
    ]


def _work_blocks(home: Home, locale: str) -> list[Block]:
    """What awaits the team: decisions, sends, and the week's promises kept or broken."""
    more = _("…and {count} more")
    return [
        section(
            " · ".join(
                [
                    ngettext(
                        "*{count}* reminder awaits a decision today",
                        "*{count}* reminders await a decision today",
                        home.awaiting,
                    ),
                    ngettext(
                        "*{count}* you approved is waiting to go",
                        "*{count}* you approved are waiting to go",
                        home.yours_pending,
                    ),
                    ngettext("*{count}* failed send", "*{count}* failed sends", home.failed_sends),
                ]
            )
        ),
        section(_("*Promises due this week*")),
        *line_sections(
            capped([_promise(p, locale) for p in home.promises_this_week], 10, more),
            empty=_("None."),
        ),
        section(_("*Broken promises*")),
        *line_sections(
            capped([_promise(p, locale) for p in home.promises_broken], 10, more),
            empty=_("None."),
        ),
    ]


def _buttons(digest_url: str | None, lead: bool) -> list[Block]:
    """Today's digest (a link), and the settings for a lead."""
    buttons: list[Block] = []
    if digest_url:
        buttons.append(
            {
                "type": "button",
                "action_id": OPEN_DIGEST,
                "url": digest_url,
                "text": {"type": "plain_text", "text": _("Open today's digest")},
            }
        )
    if lead:
        buttons.append(button(_("Settings"), OPEN_SETTINGS, "settings"))
    return buttons
