"""The daily digest message: the ledger at a glance, and the way into today's decisions."""

from __future__ import annotations

from bot.domain.aging import BUCKET_RANGES, Bucket
from bot.domain.money import Money
from bot.rendering.locale import money, staff_date
from bot.services.digest import Digest, PromiseLine
from bot.services.holds import HeldCustomer
from bot.services.morning import HeldBack
from bot.slack.blocks.common import (
    MAX_MESSAGE_BLOCKS,
    Block,
    actions,
    button,
    capped,
    confirm_dialog,
    context,
    divider,
    fit,
    header,
    line_sections,
    section,
)
from bot.slack.ids import APPROVE_ALL, SHOW_HELD_BACK
from bot.slack.mrkdwn import escape, truncate

MAX_OWNERS_NAMED = 20


def more_cards_note(left: int) -> str:
    """The last message of a thread whose cards reached the page size."""
    return (
        f"…and {left} more reminder(s) need the channel today. `/relance digest` in this "
        "channel posts the next page; any approver can also decide them from Relance's Home."
    )


def owner_note(count: int, home_url: str | None) -> str:
    """The one direct message an owner gets each morning."""
    home = f"<{home_url}|your Home in Relance>" if home_url else "your Home in Relance"
    return f"Good morning: {count} reminder(s) await your decision today — see {home}."


def _delta(now: Money, before: Money, locale: str) -> str:
    delta = now.amount - before.amount
    if delta == 0:
        return "unchanged"
    return f"{'▲' if delta > 0 else '▼'} {Money(abs(delta), now.currency).format(locale)}"


def _change(now: Money, before: Money | None, locale: str) -> str:
    if before is None:
        return "new since the last digest"
    return f"{_delta(now, before, locale)} since the last digest"


def _bucket_part(digest: Digest, currency: str, bucket: Bucket, locale: str) -> str | None:
    """One bucket's balance with its change; a bucket emptied since shows its fall."""
    now = digest.overdue_buckets(currency).get(bucket)
    before = digest.previous_bucket(currency, bucket)
    if now is None and (before is None or before.amount == 0):
        return None
    now = now or Money.of_minor(0, currency)
    change = "" if before is None else f" ({_delta(now, before, locale)})"
    return f"{bucket.value}: {now.format(locale)}{change}"


def _totals_lines(digest: Digest, locale: str) -> list[str]:
    lines = []
    for currency in digest.currencies():
        overdue = digest.overdue_in(currency)
        parts = [
            part
            for b, _l, _m in BUCKET_RANGES
            if b is not Bucket.NOT_DUE
            and (part := _bucket_part(digest, currency, b, locale)) is not None
        ]
        not_due = next(
            (
                t.balance
                for t in digest.aging.totals
                if t.currency == currency and t.bucket is Bucket.NOT_DUE
            ),
            None,
        )
        lines.append(
            f"*{currency}* overdue *{overdue.format(locale)}* "
            f"({_change(overdue, digest.previous_in(currency), locale)})"
            f"\n      {' · '.join(parts) or 'nothing overdue'}"
            + (f" · not yet due: {not_due.format(locale)}" if not_due else "")
        )
    return lines


def _ranking_lines(digest: Digest, locale: str, most: int = 30) -> list[str]:
    """The largest overdue balances, numbered within each currency (amounts in different
    currencies are never ranked against each other); at most `most` customers."""
    today = digest.run_date
    lines: list[str] = []
    rank: dict[str, int] = {}
    for c in digest.aging.top_overdue[:most]:
        currency = c.overdue.currency
        if currency not in rank:
            lines.append(f"_{currency}_")
        rank[currency] = rank.get(currency, 0) + 1
        lines.append(
            f"{rank[currency]}. *{escape(c.name)}* ({c.country}) — {c.overdue.format(locale)}, "
            f"oldest {c.days_late(today)} days late"
        )
    left_out = len(digest.aging.top_overdue) - most
    if left_out > 0:
        lines.append(f"…and {left_out} more: `/relance customer <name>` shows any account")
    return lines


def _promise_line(p: PromiseLine, locale: str) -> str:
    amount = f" {p.amount.format(locale)}" if p.amount else ""
    return (
        f"• *{escape(p.customer)}* `{escape(p.invoice)}`{amount} promised for "
        f"{staff_date(p.promised_date, locale)} — {p.balance.format(locale)} still open"
    )


def held_lines(held: list[HeldCustomer]) -> list[str]:
    """Who a skip reason holds, and until when (`bot.services.holds.held_customers`)."""
    return capped(
        [f"• *{escape(h.name)}*: {escape(h.detail)}" for h in held], 15, "…and {count} more"
    )


def _approve_all_button(digest: Digest, stage: str, count: int, locale: str) -> Block:
    total = " + ".join(m.format(locale) for m in digest.awaiting_totals.get(stage, []))
    asking = f", asking for {total} in all" if total else ""
    return button(
        f"Approve all {stage} ({count})",
        APPROVE_ALL,
        f"{digest.run_date.isoformat()}|{stage}",
        confirm=confirm_dialog(
            f"Approve all {stage}?",
            f"This approves the {count} {stage} reminder(s) still undecided today{asking}; "
            "approved e-mails are sent.",
            "Approve all",
        ),
    )


def held_back_blocks(held_back: dict[str, int]) -> list[Block]:
    """Who gets no reminder today although late, counted by reason, each with *Show*."""
    total = sum(held_back.values())
    lines = " · ".join(f"{escape(reason)} {count}" for reason, count in held_back.items())
    return [
        section(f"*Held back today*: {total} late customer(s) get no reminder — {lines}"),
        actions(
            "held_back",
            *[
                button(f"Show: {reason} ({count})", SHOW_HELD_BACK, reason)
                for reason, count in list(held_back.items())[:25]
            ],
        ),
    ]


def held_back_text(held: HeldBack, most: int = 40) -> str:
    lines = [
        f"• *{escape(truncate(name, 80))}*: {escape(truncate(detail, 160))}"
        for name, detail in held.customers
    ]
    if not lines:
        return f"Nobody is held back for “{escape(held.reason)}” any more."
    shown = capped(lines, most, "…and {count} more: `/relance customer <name>` shows any account")
    return f"*Held back — {escape(held.reason)}* ({len(lines)})\n" + "\n".join(shown)


def _awaiting_line(digest: Digest, waiting: int, by_stage: str, where: str) -> str:
    owners = digest.owners
    if not owners:
        return f"*{waiting} reminder(s) await a decision* {where}: {by_stage}"
    named = [f"<@{owner}> {count}" for owner, count in owners.items()]
    return (
        f"*{waiting} reminder(s) await a decision*: {by_stage}\n"
        f"{digest.in_thread} {where}; the others on their owner's Home: "
        + " · ".join(capped(named, MAX_OWNERS_NAMED, "and {count} more"))
    )


def _cash_line(digest: Digest, locale: str) -> str:
    """Bank payments: applied since the last digest, and received but on no invoice yet."""

    def listed(totals: dict[str, Money]) -> str:
        return ", ".join(money(totals[c], locale) for c in sorted(totals)) or "nothing"

    text = f"🏦 *Cash collected* since the last digest: {listed(digest.cash_collected)}"
    if digest.cash_unapplied:
        text += f" · *unapplied*, for a person to place: {listed(digest.cash_unapplied)}"
    return text


def digest_blocks(
    digest: Digest, locale: str = "en_GB", where: str = "in this thread"
) -> list[Block]:
    """`where` says where today's cards are (the digest's own thread, or its channel when the
    digest is shown to one person elsewhere)."""
    today = digest.run_date
    blocks: list[Block] = [
        header(f"Overdue digest — {staff_date(today, locale, 'full')}"),
        *line_sections(_totals_lines(digest, locale), empty="Nothing is owed. 🎉"),
        divider(),
        section("*Largest overdue balances*"),
        *line_sections(_ranking_lines(digest, locale), empty="Nothing is overdue."),
    ]
    if digest.cash_collected or digest.cash_unapplied:
        blocks += [divider(), section(_cash_line(digest, locale))]
    if digest.promises_due or digest.promises_broken:
        blocks.append(divider())
        if digest.promises_due:
            blocks.append(section("*Promises due today*"))
            blocks += line_sections(
                capped(
                    [_promise_line(p, locale) for p in digest.promises_due], 15, "…and {count} more"
                ),
                empty="",
            )
        if digest.promises_broken:
            blocks.append(section("*Broken promises* — the ladder resumes for these"))
            blocks += line_sections(
                capped(
                    [_promise_line(p, locale) for p in digest.promises_broken],
                    15,
                    "…and {count} more",
                ),
                empty="",
            )
    if digest.missed_plans:
        blocks += [divider(), section("*Missed instalments* — the ladder resumes for these")]
        blocks += line_sections(
            capped([f"• {escape(name)}" for name in digest.missed_plans], 15, "…and {count} more"),
            empty="",
        )
    if digest.failing_addresses:
        blocks += [divider(), section("*E-mail failing* — reminders go by phone until it is fixed")]
        blocks += line_sections(
            capped(
                [
                    f"• *{escape(name)}*: {escape(problem)}"
                    for name, problem in digest.failing_addresses
                ],
                15,
                "…and {count} more",
            ),
            empty="",
        )
    if digest.not_suggested:
        blocks += [divider(), section("*No suggestion today* — fix the cause; the rest went on")]
        blocks += line_sections(
            capped(
                [f"• *{escape(name)}*: {escape(cause)}" for name, cause in digest.not_suggested],
                15,
                "…and {count} more",
            ),
            empty="",
        )
    if digest.held:
        blocks += [divider(), section("*Held after a skip* — no reminder until then")]
        blocks += line_sections(held_lines(digest.held), empty="")
    if digest.failed:
        blocks += [divider(), section("*Failed sends* — check the address or the mail server")]
        blocks += line_sections(
            capped(
                [f"• *{escape(f.customer)}* ({f.stage}): {escape(f.error)}" for f in digest.failed],
                15,
                "…and {count} more",
            ),
            empty="",
        )
    if digest.held_back:
        blocks += [divider(), *held_back_blocks(digest.held_back)]
    if digest.stale_rates:
        blocks += [divider(), section("*Rate tables out of date* — run `relance rates update`")]
        blocks += line_sections(
            [
                f"• {escape(t.name)}: known to {staff_date(t.as_of, locale)}; the rate of "
                f"{staff_date(t.next_fixing, locale)} is not, so charges use the last one known"
                for t in digest.stale_rates
            ],
            empty="",
        )
    blocks.append(divider())
    waiting = sum(digest.awaiting.values())
    if waiting:
        stages = sorted(digest.awaiting.items())
        by_stage = " · ".join(f"{stage} {count}" for stage, count in stages)
        blocks.append(section(_awaiting_line(digest, waiting, by_stage, where)))
        buttons = [
            _approve_all_button(digest, stage, count, locale)
            for stage, count in stages
            if stage not in digest.one_by_one
        ][:25]
        if buttons:
            blocks.append(actions("approve_all", *buttons))
        singles = [stage for stage, _count in stages if stage in digest.one_by_one]
        if singles:
            blocks.append(
                context(
                    f"{', '.join(singles)}: final notices are approved one by one, on their card."
                )
            )
    else:
        blocks.append(context("No reminder awaits a decision today."))
    return fit(
        blocks,
        MAX_MESSAGE_BLOCKS,
        "The digest was cut to fit one Slack message; `/relance customer` has the rest.",
    )


def digest_fallback(digest: Digest, locale: str = "en_GB") -> str:
    overdue = ", ".join(m.format(locale) for m in digest.overdue.values()) or "nothing"
    return f"Overdue digest for {digest.run_date.isoformat()}: {overdue} overdue"
