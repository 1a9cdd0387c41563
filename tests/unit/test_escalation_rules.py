"""Each rule of the escalation decision on its own (bot/domain/escalation.py, .../ladder.py):
the worked examples of the whole decision are in test_escalation.py."""

from __future__ import annotations

from datetime import date, timedelta

from bot.config import load_policy
from bot.domain.escalation import (
    Account,
    NoAction,
    OpenItem,
    PastContact,
    Reason,
    chaseable_items,
    contact_cap,
    due_items,
    episode_start,
    stage_for,
    too_recent,
    under_threshold,
)
from bot.domain.ladder import by_phone, first_contact_stage, next_stage, reminders_sent

POLICY = load_policy()  # courtesy -5, friendly 3, firm 15 (first contact from 45), call 30, ...
TODAY = date(2026, 11, 25)  # a Wednesday


def item(number: str, days_late: int, balance_minor: int = 50_000, **kw: object) -> OpenItem:
    return OpenItem(number, "EUR", balance_minor, TODAY - timedelta(days=days_late), **kw)  # type: ignore[arg-type]


def account(*items: OpenItem, contacts: tuple[PastContact, ...] = (), **kw: object) -> Account:
    return Account(1, "FR", "Europe/Paris", items, contacts, **kw)  # type: ignore[arg-type]


def sent(days_ago: int, stage: str, channel: str = "email") -> PastContact:
    return PastContact(TODAY - timedelta(days=days_ago), stage, channel)


def stage(name: str):  # type: ignore[no-untyped-def]
    return next(s for s in POLICY.stages if s.name == name)


def said(decided: object) -> tuple[Reason, str]:
    """A rule's no-action as the card's English shows it (its detail is a phrase)."""
    assert isinstance(decided, NoAction)
    return decided.reason, str(decided.detail)


def test_due_items_are_those_the_first_stage_can_open_on_oldest_first() -> None:
    kept = due_items(
        account(item("B", 1), item("A", 9), item("C", -6), item("P", 20, 0)), POLICY, TODAY
    )
    assert [i.number for i in kept] == ["A", "B"]  # C too early, P paid


def test_chaseable_items_says_why_there_are_none() -> None:
    assert said(chaseable_items(account(item("C", -6)), POLICY, TODAY)) == (
        Reason.NOTHING_DUE,
        "no invoice due yet; the first reminder could go on 2026-11-26",
    )
    disputed = chaseable_items(account(item("A", 9, disputed=True)), POLICY, TODAY)
    assert said(disputed) == (Reason.DISPUTED, "every invoice due is disputed (A)")
    promised = chaseable_items(account(item("A", 9, promised_until=TODAY)), POLICY, TODAY)
    assert isinstance(promised, NoAction) and promised.reason is Reason.PROMISED
    paused = chaseable_items(account(item("A", 9), paused=True), POLICY, TODAY)
    assert isinstance(paused, NoAction) and paused.reason is Reason.PAUSED
    mixed = chaseable_items(account(item("A", 9, disputed=True), item("B", 4)), POLICY, TODAY)
    assert [i.number for i in mixed] == ["B"]  # type: ignore[union-attr]


def test_under_threshold_only_when_every_currency_is_under() -> None:
    small = (item("A", 9, 999),)
    assert said(under_threshold(small, POLICY)) == (
        Reason.UNDER_THRESHOLD,
        "balance €9.99 is under the threshold",
    )
    assert under_threshold((item("A", 9, 1_000),), POLICY) is None
    dollars = OpenItem("U", "USD", 5_000, TODAY)
    assert under_threshold((*small, dollars), POLICY) is None


def test_the_episode_starts_where_the_courtesy_note_could_open() -> None:
    assert episode_start((item("A", 9),), POLICY) == TODAY - timedelta(days=14)


def test_stage_for_starts_a_late_first_contact_high_and_says_why() -> None:
    chosen = stage_for(account(), POLICY, (item("A", 50),), [], TODAY)
    assert isinstance(chosen, tuple)
    assert (chosen[0], str(chosen[1])) == (
        stage("firm"),
        "first contact 50 days late: the policy starts at the firm stage from 45 days",
    )
    climbed = stage_for(account(), POLICY, (item("A", 50),), [sent(30, "friendly")], TODAY)
    assert climbed == (stage("firm"), "")


def test_stage_for_turns_an_email_into_the_call_when_email_fails() -> None:
    chosen = stage_for(account(email_failing=True), POLICY, (item("A", 9),), [], TODAY)
    assert chosen == (stage("call"), "")


def test_stage_for_waits_with_the_ladders_words() -> None:
    waiting = stage_for(account(), POLICY, (item("A", 10),), [sent(7, "friendly")], TODAY)
    assert said(waiting) == (
        Reason.WAITING,
        "“Friendly reminder” was already sent; “Firm reminder” opens at 15 days overdue "
        "(in 5 days)",
    )


def test_contact_cap_counts_the_last_thirty_days() -> None:
    three = (sent(29, "friendly"), sent(20, "firm"), sent(10, "call", "phone"))
    assert said(contact_cap(account(contacts=three), POLICY, TODAY)) == (
        Reason.CONTACT_CAP,
        "3 contacts in the last 30 days (cap 3); next possible on 2026-11-26",
    )
    older = (sent(30, "friendly"), *three[1:])
    assert contact_cap(account(contacts=older), POLICY, TODAY) is None


def test_too_recent_counts_business_days_since_the_last_contact() -> None:
    monday = (sent(2, "friendly"),)  # Monday 23rd: two business days
    assert too_recent(account(contacts=monday), stage("friendly"), TODAY) is None
    stopped = too_recent(account(contacts=monday), stage("firm"), TODAY)
    assert said(stopped) == (
        Reason.TOO_RECENT,
        "last contacted on 2026-11-23, 2 business days ago; “Firm reminder” waits 5",
    )
    assert too_recent(account(), stage("firm"), TODAY) is None


def test_the_ladder_parts() -> None:
    assert first_contact_stage(POLICY, 44) is None
    assert first_contact_stage(POLICY, 90) == stage("final")
    assert by_phone(POLICY, stage("firm")) == stage("call")
    assert next_stage(POLICY, 20, [sent(15, "friendly")], "FR", TODAY) == stage("firm")
    assert str(next_stage(POLICY, 2, [sent(5, "courtesy")], "FR", TODAY)) == (
        "“Courtesy note” is for invoices coming due; “Friendly reminder” opens at 3 days "
        "overdue (in 1 day)"
    )
    episode = [sent(20, "courtesy"), sent(10, "friendly"), sent(5, "call", "phone")]
    assert reminders_sent(POLICY, episode) == 1  # the courtesy note and the call do not count
