"""Who gets no reminder today, in the digest and on asking: the customers a skip holds, and
the late customers held back, counted by reason and listed on *Show*."""

from __future__ import annotations

from bot.rendering.staff_text import _, ngettext, say
from bot.services.overview.morning import HeldBack
from bot.services.reminders.holds import HeldCustomer
from bot.slack.blocks.common import Block, actions, button, capped, section
from bot.slack.ids import SHOW_HELD_BACK, numbered
from bot.slack.mrkdwn import escape, truncate


def held_lines(held: list[HeldCustomer]) -> list[str]:
    """Who a skip reason holds, and until when (`bot.services.reminders.holds.held_customers`)."""
    return capped(
        [f"• *{escape(h.name)}*: {escape(say(h.detail))}" for h in held], 15, _("…and {count} more")
    )


def held_back_blocks(held_back: dict[str, int]) -> list[Block]:
    """Who gets no reminder today although late, counted by reason, each with *Show*."""
    total = sum(held_back.values())
    lines = " · ".join(f"{escape(_(reason))} {count}" for reason, count in held_back.items())
    return [
        section(
            ngettext(
                "*Held back today*: {count} late customer gets no reminder — {lines}",
                "*Held back today*: {count} late customers get no reminder — {lines}",
                total,
                lines=lines,
            )
        ),
        actions(
            "held_back",
            *[
                button(
                    _("Show: {reason} ({count})", reason=_(reason), count=count),
                    numbered(SHOW_HELD_BACK, n),
                    reason,
                )
                for n, (reason, count) in enumerate(list(held_back.items())[:25])
            ],
        ),
    ]


def held_back_text(held: HeldBack, most: int = 40) -> str:
    lines = [
        f"• *{escape(truncate(name, 80))}*: {escape(truncate(say(detail), 160))}"
        for name, detail in held.customers
    ]
    if not lines:
        return _("Nobody is held back for “{reason}” any more.", reason=escape(_(held.reason)))
    shown = capped(
        lines, most, _("…and {count} more: `/relance customer <name>` shows any account")
    )
    return _(
        "*Held back — {reason}* ({count})", reason=escape(_(held.reason)), count=len(lines)
    ) + ("\n" + "\n".join(shown))
