"""What a change to a customer's undecided reminders shows at once, rather than at their next
re-render: their cards, and the Homes of the people whose worklists list them."""

from __future__ import annotations

from collections.abc import Callable

from bot.services.reminders.overtaken import NOTHING, Touched
from bot.slack.deps import Deps
from bot.slack.home_publisher import publish_home


def show_touched(
    deps: Deps, touched: Touched, what: str, tell: Callable[[str], object] | None = None
) -> None:
    """After the acknowledgement (`Deps.later`); `what` names the change for the log, and
    `tell` tells the person who made it if showing it fails for good (a customer on their
    page has no one to tell: the log says it)."""
    if touched == NOTHING:
        return

    def show() -> None:
        deps.cards.refresh(list(touched.reminders), deps.today())
        for owner in touched.owners:
            publish_home(deps, owner)

    deps.later(show, f"showing what {what} changed", tell)
