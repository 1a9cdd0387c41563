"""The daily digest message: the ledger at a glance, and the way into today's decisions."""

from __future__ import annotations

from bot.domain.aging import BUCKET_RANGES, Bucket
from bot.domain.money import Money
from bot.domain.rate_series import StaleTable
from bot.rendering.locale import money, staff_date
from bot.rendering.staff_text import N_, _, ngettext, say
from bot.services.overview.digest import Digest, PromiseLine
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
from bot.slack.blocks.held import held_back_blocks, held_lines
from bot.slack.ids import APPROVE_ALL, numbered
from bot.slack.mrkdwn import escape

MAX_OWNERS_NAMED = 20
#: the words of the aging buckets that have any (the others are day ranges)
BUCKET_WORDS = {Bucket.NOT_DUE: N_("not yet due"), Bucket.OVER_90: N_("over 90")}


def bucket_label(bucket: Bucket) -> str:
    return _(BUCKET_WORDS[bucket]) if bucket in BUCKET_WORDS else bucket.value


def more_cards_note(left: int) -> str:
    """The last message of a thread whose cards reached the page size."""
    return ngettext(
        "…and {count} more reminder needs the channel today. `/relance digest` in this "
        "channel posts the next page; any approver can also decide it from Relance's Home.",
        "…and {count} more reminders need the channel today. `/relance digest` in this "
        "channel posts the next page; any approver can also decide them from Relance's Home.",
        left,
    )


def owner_note(count: int, home_url: str | None) -> str:
    """The one direct message an owner gets each morning."""
    words = _("your Home in Relance")
    home = f"<{home_url}|{words}>" if home_url else words
    return ngettext(
        "Good morning: {count} reminder awaits your decision today — see {home}.",
        "Good morning: {count} reminders await your decision today — see {home}.",
        count,
        home=home,
    )


def _delta(now: Money, before: Money, locale: str) -> str:
    delta = now.amount - before.amount
    if delta == 0:
        return _("unchanged")
    return f"{'▲' if delta > 0 else '▼'} {Money(abs(delta), now.currency).format(locale)}"


def _change(now: Money, before: Money | None, locale: str) -> str:
    if before is None:
        return _("new since the last digest")
    return _("{change} since the last digest", change=_delta(now, before, locale))


def _bucket_part(digest: Digest, currency: str, bucket: Bucket, locale: str) -> str | None:
    """One bucket's balance with its change; a bucket emptied since shows its fall."""
    now = digest.overdue_buckets(currency).get(bucket)
    before = digest.previous_bucket(currency, bucket)
    if now is None and (before is None or before.amount == 0):
        return None
    now = now or Money.of_minor(0, currency)
    change = "" if before is None else f" ({_delta(now, before, locale)})"
    return f"{bucket_label(bucket)}: {now.format(locale)}{change}"


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
            _(
                "*{currency}* overdue *{amount}* ({change})",
                currency=currency,
                amount=overdue.format(locale),
                change=_change(overdue, digest.previous_in(currency), locale),
            )
            + "\n      "
            + (" · ".join(parts) or _("nothing overdue"))
            + (_(" · not yet due: {amount}", amount=not_due.format(locale)) if not_due else "")
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
            + ngettext("oldest {count} day late", "oldest {count} days late", c.days_late(today))
        )
    left_out = len(digest.aging.top_overdue) - most
    if left_out > 0:
        lines.append(
            _("…and {count} more: `/relance customer <name>` shows any account", count=left_out)
        )
    return lines


def _promise_line(p: PromiseLine, locale: str) -> str:
    amount = f" {p.amount.format(locale)}" if p.amount else ""
    return f"• *{escape(p.customer)}* `{escape(p.invoice)}`{amount} " + _(
        "promised for {date} — {balance} still open",
        date=staff_date(p.promised_date, locale),
        balance=p.balance.format(locale),
    )


def _approve_all_button(digest: Digest, stage: str, count: int, locale: str, n: int) -> Block:
    title = digest.title(stage)
    total = " + ".join(m.format(locale) for m in digest.awaiting_totals.get(stage, []))
    asking = _(", asking for {total} in all", total=total) if total else ""
    return button(
        _("Approve all {count} · {stage}", count=count, stage=title),
        numbered(APPROVE_ALL, n),
        f"{digest.run_date.isoformat()}|{stage}",
        confirm=confirm_dialog(
            _("Approve all: {stage}?", stage=title),
            ngettext(
                "This approves the {count} reminder of the “{stage}” stage still undecided "
                "today{asking}; approved e-mails are sent.",
                "This approves the {count} reminders of the “{stage}” stage still undecided "
                "today{asking}; approved e-mails are sent.",
                count,
                stage=title,
                asking=asking,
            ),
            _("Approve all"),
        ),
    )


def _awaiting_line(digest: Digest, waiting: int, by_stage: str, where: str) -> str:
    owners = digest.owners
    if not owners:
        return ngettext(
            "*{count} reminder awaits a decision* {where}: {by_stage}",
            "*{count} reminders await a decision* {where}: {by_stage}",
            waiting,
            where=where,
            by_stage=by_stage,
        )
    named = [f"<@{owner}> {count}" for owner, count in owners.items()]
    return (
        ngettext(
            "*{count} reminder awaits a decision*: {by_stage}",
            "*{count} reminders await a decision*: {by_stage}",
            waiting,
            by_stage=by_stage,
        )
        + "\n"
        + _(
            "{count} {where}; the others on their owner's Home: ",
            count=digest.in_thread,
            where=where,
        )
        + " · ".join(capped(named, MAX_OWNERS_NAMED, _("and {count} more")))
    )


def _cash_line(digest: Digest, locale: str) -> str:
    """Bank payments: applied since the last digest, and received but on no invoice yet."""

    def listed(totals: dict[str, Money]) -> str:
        return ", ".join(money(totals[c], locale) for c in sorted(totals)) or _("nothing")

    text = "🏦 " + _(
        "*Cash collected* since the last digest: {amounts}", amounts=listed(digest.cash_collected)
    )
    if digest.cash_unapplied:
        text += " · " + _(
            "*unapplied*, for a person to place: {amounts}", amounts=listed(digest.cash_unapplied)
        )
    return text


def digest_blocks(digest: Digest, locale: str = "en_GB", where: str | None = None) -> list[Block]:
    """`where` says where today's cards are (the digest's own thread, or its channel when the
    digest is shown to one person elsewhere)."""
    blocks: list[Block] = [
        header(_("Overdue digest — {date}", date=staff_date(digest.run_date, locale, "full"))),
        *line_sections(_totals_lines(digest, locale), empty=_("Nothing is owed. 🎉")),
        divider(),
        section(_("*Largest overdue balances*")),
        *line_sections(_ranking_lines(digest, locale), empty=_("Nothing is overdue.")),
        *_money_blocks(digest, locale),
        *_trouble_blocks(digest, locale),
        divider(),
        *_decision_blocks(digest, locale, where or _("in this thread")),
    ]
    return fit(
        blocks,
        MAX_MESSAGE_BLOCKS,
        _("The digest was cut to fit one Slack message; `/relance customer` has the rest."),
    )


def _listed(lines: list[str]) -> list[Block]:
    """A section's lines, the first 15 (then how many more)."""
    return line_sections(capped(lines, 15, _("…and {count} more")), empty="")


def _money_blocks(digest: Digest, locale: str) -> list[Block]:
    """Money in since the last digest, and what was promised for today or is now broken."""
    blocks: list[Block] = []
    if digest.cash_collected or digest.cash_unapplied:
        blocks += [divider(), section(_cash_line(digest, locale))]
    if digest.promises_due or digest.promises_broken:
        blocks.append(divider())
    if digest.promises_due:
        blocks.append(section(_("*Promises due today*")))
        blocks += _listed([_promise_line(p, locale) for p in digest.promises_due])
    if digest.promises_broken:
        blocks.append(section(_("*Broken promises* — the ladder resumes for these")))
        blocks += _listed([_promise_line(p, locale) for p in digest.promises_broken])
    if digest.missed_plans:
        blocks += [divider(), section(_("*Missed instalments* — the ladder resumes for these"))]
        blocks += _listed([f"• {escape(name)}" for name in digest.missed_plans])
    return blocks


def _trouble_blocks(digest: Digest, locale: str) -> list[Block]:
    """What needs a person before reminders can go: failing addresses, customers with no
    suggestion, holds, failed sends, customers held back, stale rate tables."""
    blocks: list[Block] = []
    if digest.failing_addresses:
        blocks += [
            divider(),
            section(_("*E-mail failing* — reminders go by phone until it is fixed")),
        ]
        blocks += _listed(
            [f"• *{escape(name)}*: {escape(problem)}" for name, problem in digest.failing_addresses]
        )
    if digest.not_suggested:
        blocks += [divider(), section(_("*No suggestion today* — fix the cause; the rest went on"))]
        blocks += _listed(
            [f"• *{escape(name)}*: {escape(say(cause))}" for name, cause in digest.not_suggested]
        )
    if digest.held:
        blocks += [divider(), section(_("*Held after a skip* — no reminder until then"))]
        blocks += line_sections(held_lines(digest.held), empty="")
    if digest.failed:
        blocks += [divider(), section(_("*Failed sends* — check the address or the mail server"))]
        blocks += _listed(
            [
                f"• *{escape(f.customer)}* ({escape(digest.title(f.stage))}): {escape(f.error)}"
                for f in digest.failed
            ]
        )
    if digest.held_back:
        blocks += [divider(), *held_back_blocks(digest.held_back)]
    if digest.stale_rates:
        blocks += [divider(), section(_("*Rate tables out of date* — run `relance rates update`"))]
        blocks += line_sections([_stale_line(t, locale) for t in digest.stale_rates], empty="")
    return blocks


def _stale_line(table: StaleTable, locale: str) -> str:
    return f"• {escape(table.name)}: " + _(
        "known to {known}; the rate of {next} is not, so charges use the last one known",
        known=staff_date(table.as_of, locale),
        next=staff_date(table.next_fixing, locale),
    )


def _decision_blocks(digest: Digest, locale: str, where: str) -> list[Block]:
    """How many reminders await a decision, by stage, with *Approve all* for the stages that
    allow it."""
    waiting = sum(digest.awaiting.values())
    if not waiting:
        return [context(_("No reminder awaits a decision today."))]
    stages = sorted(digest.awaiting.items())
    by_stage = " · ".join(f"{escape(digest.title(s))} {count}" for s, count in stages)
    blocks = [section(_awaiting_line(digest, waiting, by_stage, where))]
    buttons = [
        _approve_all_button(digest, stage, count, locale, n)
        for n, (stage, count) in enumerate(
            [(s, c) for s, c in stages if s not in digest.one_by_one | digest.by_phone][:25]
        )
    ]
    if buttons:
        blocks.append(actions("approve_all", *buttons))
    singles = [escape(digest.title(s)) for s, _count in stages if s in digest.one_by_one]
    calls = [escape(digest.title(s)) for s, _count in stages if s in digest.by_phone]
    notes = (
        [_("{stages}: approved one by one, on each card.", stages=", ".join(singles))]
        if singles
        else []
    )
    if calls:
        notes.append(
            _("{stages}: made and logged with *Log call* on each card.", stages=", ".join(calls))
        )
    if notes:
        blocks.append(context(" ".join(notes)))
    return blocks


def digest_fallback(digest: Digest, locale: str = "en_GB") -> str:
    overdue = ", ".join(m.format(locale) for m in digest.overdue.values()) or _("nothing")
    return _(
        "Overdue digest for {date}: {overdue} overdue",
        date=digest.run_date.isoformat(),
        overdue=overdue,
    )
