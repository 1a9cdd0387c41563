"""My morning on the Home tab: a page of my reminders grouped by stage, each with the facts to
decide it and its own Approve / Edit / Skip (a menu on the row), ticks for *Approve the
selected* (one checkbox group per ten rows: Slack's most per group), and for a lead everyone's
progress. One block per row, so a page of 50 stays inside a Home view's 100 blocks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.rendering.staff_text import N_, _, ngettext
from bot.services.overview.worklists import NOBODY, OwnerProgress, WorkItem, Worklist
from bot.slack.blocks.common import (
    Block,
    actions,
    button,
    capped,
    confirm_dialog,
    context,
    header,
    line_sections,
    section,
    slack_date,
)
from bot.slack.blocks.facts import flags, last_contact_text
from bot.slack.ids import numbered
from bot.slack.mrkdwn import escape, truncate

HOME_ROW = "home_row"  # the row's menu: approve|<id>, edit|<id>, skip|<id>, legal|<id>
HOME_PICK = "home_pick"
HOME_APPROVE_SELECTED = "home_approve_selected"
HOME_PAGE = "home_page"
PICK_BLOCK = "pick-"  # + the group's number
PICKS_PER_GROUP = 10


def _facts(item: WorkItem, locale: str, titles: Mapping[str, str]) -> str:
    total = " + ".join(m.format(locale) for m in item.totals) or _("nothing left open")
    lines = [
        f"*{escape(item.customer)}* — {total} · "
        + ngettext("oldest {count} day late", "oldest {count} days late", item.oldest_days_late),
        last_contact_text(item.facts, titles),
    ]
    shown = flags(item.facts, item.channel, item.phone, item.email_problem)
    if item.auto_at is not None:
        at = item.auto_at
        when = slack_date(int(at.timestamp()), at.strftime("%H:%M UTC"))
        shown.append(_("⏱ goes {when} unless stopped", when=when))
    if shown:
        lines.append(" · ".join(shown))
    return "\n".join(lines)


def _row(item: WorkItem, locale: str, titles: Mapping[str, str]) -> Block:
    rid = str(item.reminder_id)
    verbs = [(_("Approve"), "approve"), (_("Edit…"), "edit"), (_("Skip…"), "skip")]
    if item.final_notice:
        verbs.append((_("Legal part…"), "legal"))
    menu = {
        "type": "overflow",
        "action_id": HOME_ROW,
        "options": [
            {"text": {"type": "plain_text", "text": label}, "value": f"{verb}|{rid}"}
            for label, verb in verbs
        ],
    }
    return section(_facts(item, locale, titles), accessory=menu)


def _picks(group: int, items: list[WorkItem]) -> Block | None:
    """The group's checkboxes: a final notice is read and approved on its own (its row's
    menu), never ticked into *Approve the selected*. None when the group has nothing to tick."""
    items = [item for item in items if not item.final_notice]
    if not items:
        return None
    return actions(
        f"{PICK_BLOCK}{group}",
        {
            "type": "checkboxes",
            "action_id": HOME_PICK,
            "options": [
                {
                    "text": {"type": "plain_text", "text": truncate(item.customer, 70)},
                    "value": str(item.reminder_id),
                }
                for item in items
            ],
        },
    )


def _team(team: list[OwnerProgress]) -> list[Block]:
    lines = [
        "• "
        + (_("nobody") if p.owner == NOBODY else f"<@{p.owner}>")
        + ": "
        + _("{decided} decided · {waiting} waiting", decided=p.decided, waiting=p.waiting)
        for p in team
    ]
    return [
        section(_("*The team's morning* (decided / waiting per owner)")),
        *line_sections(
            capped(lines, 30, _("…and {count} more")), empty=_("Nothing suggested today.")
        ),
    ]


def worklist_blocks(
    worklist: Worklist,
    locale: str,
    titles: Mapping[str, str],
    team: list[OwnerProgress] | None = None,
) -> list[Block]:
    """`titles`: each stage key's label for staff (`stage_titles`)."""
    mine = worklist.owner != NOBODY
    heading = (
        N_("My morning — {count} to decide")
        if mine
        else N_("Nobody's reminders — {count} to decide")
    )
    blocks: list[Block] = [header(_(heading, count=worklist.total))]
    if worklist.by_stage:
        blocks.append(
            context(
                " · ".join(
                    f"{escape(titles.get(stage, stage))} {count}"
                    for stage, count in worklist.by_stage.items()
                )
            )
        )
    blocks += _rows(worklist, locale, titles)
    if not worklist.items:
        blocks.append(section(_("Nothing awaits your decision today. ☕")))
    controls = _controls(worklist, mine)
    if controls:
        blocks.append(actions("worklist", *controls))
    if worklist.pages > 1:
        blocks.append(
            context(_("Page {page} of {pages}", page=worklist.page + 1, pages=worklist.pages))
        )
    if team is not None:
        blocks += _team(team)
    return blocks


def _rows(worklist: Worklist, locale: str, titles: Mapping[str, str]) -> list[Block]:
    """The page's reminders under their stage, a pick list after each group of rows."""
    blocks: list[Block] = []
    stage = None
    group: list[WorkItem] = []
    for n, item in enumerate(worklist.items):
        if item.stage != stage:
            stage = item.stage
            title = escape(titles.get(stage, stage))
            blocks.append(section(f"*{title}* ({worklist.by_stage.get(stage, 0)})"))
        blocks.append(_row(item, locale, titles))
        group.append(item)
        if len(group) == PICKS_PER_GROUP or n == len(worklist.items) - 1:
            if (picks := _picks(n // PICKS_PER_GROUP, group)) is not None:
                blocks.append(picks)
            group = []
    return blocks


def _controls(worklist: Worklist, mine: bool) -> list[Block]:
    """Approve the ticked ones, page through, and switch between mine and nobody's."""
    controls = []
    scope = worklist.owner or "nobody"
    if worklist.items:
        controls.append(
            button(
                _("Approve the selected"),
                HOME_APPROVE_SELECTED,
                scope,
                style="primary",
                confirm=confirm_dialog(
                    _("Approve the selected?"),
                    _(
                        "Every ticked reminder still undecided is approved; approved e-mails "
                        "are sent."
                    ),
                    _("Approve"),
                ),
            )
        )
    if worklist.page > 0:
        controls.append(
            button(_("◀ Previous"), numbered(HOME_PAGE, 1), f"{scope}|{worklist.page - 1}")
        )
    if worklist.page + 1 < worklist.pages:
        controls.append(button(_("Next ▶"), numbered(HOME_PAGE, 2), f"{scope}|{worklist.page + 1}"))
    if mine and worklist.nobodys:
        controls.append(
            button(
                _("Nobody's ({count})", count=worklist.nobodys), numbered(HOME_PAGE, 3), "nobody|0"
            )
        )
    if not mine:
        controls.append(button(_("My morning"), numbered(HOME_PAGE, 4), "mine|0"))
    return controls


def selected_ids(view: dict[str, Any]) -> list[int]:
    """The reminders ticked on a Home view, from the view's state as Slack sends it back."""
    values = (view.get("state") or {}).get("values") or {}
    ids = []
    for block_id, fields in values.items():
        if not block_id.startswith(PICK_BLOCK):
            continue
        for field in fields.values():
            for option in field.get("selected_options") or []:
                if option.get("value", "").isdigit():
                    ids.append(int(option["value"]))
    return ids
