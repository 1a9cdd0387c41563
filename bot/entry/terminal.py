"""Plain-text views for the terminal (`relance demo`, `relance report`): data in, lines out."""

from __future__ import annotations

from collections import defaultdict

from bot.domain.aging import BUCKET_RANGES
from bot.domain.escalation import Suggestion
from bot.domain.money import Money
from bot.models import AuditEvent
from bot.services.cash import BankImport
from bot.services.inbox.posting import InboundView
from bot.services.ledger.aging_report import AgingReport
from bot.services.ledger.importing import ImportReport
from bot.services.overview.digest import Digest
from bot.services.overview.reminder_view import ReminderView
from bot.services.reminders.suggestions import CustomerDecision


def heading(title: str) -> str:
    return f"\n{title}\n{'─' * len(title)}"


def import_lines(report: ImportReport) -> list[str]:
    return [
        f"{report.lines} invoice lines read: {report.invoices_created} new, "
        f"{report.invoices_updated} changed; {report.customers_created} new customers, "
        f"{report.customers_updated} known; {report.payments_recorded} payments recorded.",
        *(
            [
                f"{len(report.discrepancies)} invoices the ledger shows open though a bank "
                f"payment was applied (kept paid, for a person to check): "
                + ", ".join(report.discrepancies[:20])
            ]
            if report.discrepancies
            else []
        ),
        *(str(d) for d in report.disagreements),
    ]


def bank_line(report: BankImport, locale: str = "en") -> str:
    """What a bank statement brought, in one line."""
    applied = ", ".join(Money(v, c).format(locale) for c, v in sorted(report.applied_total.items()))
    text = (
        f"{report.lines} entries: {report.applied} applied ({applied or 'nothing'}), "
        f"{len(report.to_decide)} to decide ({report.suggested} suggested), "
        f"{report.ignored} money out or fees, {report.reversed} reversed, "
        f"{report.already_imported} imported before"
    )
    if report.unapplied:
        credit = ", ".join(Money(v, c).format(locale) for c, v in sorted(report.unapplied.items()))
        text += f"; unapplied credit {credit}"
    return text


def aging_lines(report: AgingReport, locale: str = "en") -> list[str]:
    buckets = [b for b, _l, _m in BUCKET_RANGES]
    width = 15
    lines = [
        "currency".ljust(9)
        + "".join(b.value.rjust(width) for b in buckets)
        + "overdue".rjust(width)
    ]
    for currency in report.currencies():
        by_bucket = {t.bucket: t.balance for t in report.totals if t.currency == currency}
        cells = [by_bucket[b].format(locale) if b in by_bucket else "–" for b in buckets]
        overdue = report.total(currency, overdue_only=True).format(locale)
        lines.append(
            currency.ljust(9) + "".join(c.rjust(width) for c in cells) + overdue.rjust(width)
        )
    return lines


def top_overdue_lines(report: AgingReport, locale: str = "en") -> list[str]:
    lines = []
    for c in report.top_overdue:
        lines.append(
            f"{c.overdue.format(locale):>14}  {c.name} ({c.country}) — {c.invoices} invoice(s),"
            f" oldest {c.days_late(report.today)} days late"
        )
    return lines or ["Nothing is overdue."]


def decision_lines(decisions: list[CustomerDecision]) -> list[str]:
    """Suggestions by stage, then every other customer grouped by the reason none is due."""
    suggested: dict[str, list[str]] = defaultdict(list)
    reasons: dict[str, list[str]] = defaultdict(list)
    for item in decisions:
        d = item.decision
        if isinstance(d, Suggestion):
            numbers = ", ".join(i.number for i in d.invoices)
            suggested[d.stage.name].append(
                f"    {item.customer.name} ({item.customer.country}, {item.customer.language})"
                f" — {d.days_overdue} days, {numbers}"
            )
        else:
            reasons[d.reason.value].append(f"    {item.customer.name}: {d.detail}")
    lines = [f"{sum(len(v) for v in suggested.values())} reminders suggested:"]
    for stage, rows in suggested.items():
        lines += [f"  {stage} ({len(rows)})", *rows]
    lines.append(f"{sum(len(v) for v in reasons.values())} customers get none today, and why:")
    for reason, rows in sorted(reasons.items()):
        lines += [f"  {reason} ({len(rows)})", *rows]
    return lines


def reminder_lines(view: ReminderView) -> list[str]:
    return [
        f"To: {view.contact_name} <{view.customer_email}> — {view.customer_name}",
        f"Stage: {view.stage} · channel: {view.channel} · wording: {view.wording}",
        f"Subject: {view.subject}",
        "",
        *view.body_text.rstrip("\n").split("\n"),
    ]


def digest_lines(digest: Digest, locale: str = "en") -> list[str]:
    """The daily digest as the terminal shows it (Slack gets Block Kit, same figures)."""
    lines = []
    for currency in digest.currencies():
        overdue, before = digest.overdue_in(currency), digest.previous_in(currency)
        change = (
            ""
            if before is None
            else (
                f" ({'+' if overdue.amount >= before.amount else '-'}"
                f"{Money(abs(overdue.amount - before.amount), currency).format(locale)})"
            )
        )
        lines.append(f"{currency}: {overdue.format(locale)} overdue{change}")
    lines += [
        f"Promise due today: {p.customer} {p.invoice} ({p.balance.format(locale)})"
        for p in digest.promises_due
    ]
    lines += [
        f"Broken promise: {p.customer} {p.invoice} promised {p.promised_date}"
        for p in digest.promises_broken
    ]
    lines += [f"Failed send: {f.customer} ({f.stage}): {f.error}" for f in digest.failed]
    if digest.held_back:
        held = ", ".join(f"{reason} {n}" for reason, n in digest.held_back.items())
        lines.append(f"Held back today: {held}")
    waiting = ", ".join(f"{stage} {n}" for stage, n in sorted(digest.awaiting.items()))
    lines.append(f"Awaiting a decision: {waiting or 'nothing'}")
    owners = ", ".join(f"{owner} {n}" for owner, n in digest.owners.items())
    if owners:
        lines.append(f"On their owner's worklist: {owners}")
    return lines


def audit_lines(events: list[AuditEvent]) -> list[str]:
    return [
        f"#{e.seq:<4} {e.occurred_at:%Y-%m-%d %H:%M:%S} UTC  {e.kind:<12} {e.actor:<10}"
        f" {e.invoice_numbers[:40]}  hash {e.hash[:12]}… ← {e.prev_hash[:12]}…"
        for e in events
    ]


def _printable(text: str) -> str:
    """Customer text on a terminal: no escape sequences or other control characters."""
    return "".join(c if c.isprintable() else "?" for c in text)


def inbound_lines(view: InboundView) -> list[str]:
    """A message from the reply mailbox, as it would be posted in Slack."""
    where = (
        f"card thread {view.target.thread_ts}"
        if view.target and view.target.thread_ts
        else (view.target.channel if view.target else "nowhere")
    )
    lines = [
        f"{view.kind.replace('_', ' ')} from {_printable(view.sender)} — "
        f"{_printable(view.customer_name) or 'unmatched'}"
        f" (matched by {view.matched_by or 'nothing'}) → {where}",
        f"  Subject: {_printable(view.subject)}",
    ]
    lines += [f"  > {_printable(line)}" for line in view.text.splitlines()[:6]]
    lines += [f"  Attachment: {_printable(name)} ({size} bytes)" for name, size in view.attachments]
    lines.append(f"  ⇒ {view.consequence}")
    return lines
