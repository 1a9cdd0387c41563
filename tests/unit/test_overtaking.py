"""What overtakes a reminder once decided: the rule the sender applies before an e-mail leaves
(worked examples), and its agreement with the morning's decision (a property)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.config import load_policy
from bot.domain.escalation import Account, NoAction, OpenItem, Reason, decide
from bot.domain.holds import Hold, HoldKind, said_paid
from bot.domain.overtaking import WHOLE_ACCOUNT, chases_any, why_overtaken
from bot.domain.policy import Policy

POLICY = load_policy()  # promise grace: 3 days
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # 10:00 in Paris


def _why(whole: Account | None, chased: list[str], policy: Policy, now: datetime) -> str:
    """Why it is overtaken, in English (the card words it in the reader's language)."""
    return str(why_overtaken(whole, chased, policy, now))


TODAY = date(2026, 11, 25)


def item(number: str, **kw: object) -> OpenItem:
    return OpenItem(number, "EUR", 50_000, TODAY - timedelta(days=20), **kw)  # type: ignore[arg-type]


def account(*items: OpenItem, **kw: object) -> Account:
    return Account(1, "FR", "Europe/Paris", items, **kw)  # type: ignore[arg-type]


def test_a_reminder_nothing_overtook_goes() -> None:
    assert why_overtaken(account(item("A-1"), item("A-2")), ["A-1"], POLICY, NOW) is None


def test_paid_in_full_or_owing_nothing_stops_it() -> None:
    assert _why(account(item("A-2")), ["A-1"], POLICY, NOW) == (
        "nothing it chases is owed any more"
    )
    assert _why(None, ["A-1"], POLICY, NOW) == "nothing it chases is owed any more"
    # one of two paid: the other is still owed, and the reminder still holds
    assert why_overtaken(account(item("A-2")), ["A-1", "A-2"], POLICY, NOW) is None


def test_a_pause_stops_it_while_it_lasts() -> None:
    chased = ["A-1"]
    paused = account(item("A-1"), paused=True)
    assert _why(paused, chased, POLICY, NOW) == "reminders are paused"
    until_today = account(item("A-1"), paused=True, paused_until=TODAY)
    assert _why(until_today, chased, POLICY, NOW) == ("reminders are paused until 2026-11-25")
    over = account(item("A-1"), paused=True, paused_until=TODAY - timedelta(days=1))
    assert why_overtaken(over, chased, POLICY, NOW) is None


def test_a_says_paid_hold_stops_it_until_it_lapses() -> None:
    held = account(item("A-1"), hold=said_paid(TODAY, 7))
    assert _why(held, ["A-1"], POLICY, NOW) == (
        "the customer says it is paid: held until 2026-12-02, pending the next import"
    )
    lapsed = account(item("A-1"), hold=Hold(HoldKind.SAID_PAID, TODAY - timedelta(days=1)))
    assert why_overtaken(lapsed, ["A-1"], POLICY, NOW) is None


def test_a_dispute_on_any_invoice_it_chases_stops_it() -> None:
    disputed = account(item("A-1"), item("A-2", disputed=True), item("A-3", disputed=True))
    assert _why(disputed, ["A-1", "A-2"], POLICY, NOW) == ("A-2 disputed by the customer")
    assert why_overtaken(disputed, ["A-1"], POLICY, NOW) is None  # not chased: not overtaken


def test_a_promise_stops_it_until_its_date_and_grace_have_passed() -> None:
    chased = ["A-1", "A-2"]
    later = TODAY + timedelta(days=10)
    promised = account(item("A-1", promised_until=TODAY), item("A-2", promised_until=later))
    assert _why(promised, chased, POLICY, NOW) == (
        f"the customer promised to pay by {later.isoformat()}"
    )
    within_grace = account(item("A-1", promised_until=TODAY - timedelta(days=3)))
    assert why_overtaken(within_grace, ["A-1"], POLICY, NOW) is not None
    broken = account(item("A-1", promised_until=TODAY - timedelta(days=4)))
    assert why_overtaken(broken, ["A-1"], POLICY, NOW) is None


def test_the_customers_own_day_counts() -> None:
    """23:30 in Paris on the pause's last day is already the next day in Sydney."""
    late = datetime(2026, 11, 25, 22, 30, tzinfo=UTC)
    sydney = Account(1, "AU", "Australia/Sydney", (item("A-1"),), paused=True, paused_until=TODAY)
    assert why_overtaken(sydney, ["A-1"], POLICY, late) is None
    paris = account(item("A-1"), paused=True, paused_until=TODAY)
    assert why_overtaken(paris, ["A-1"], POLICY, late) is not None


def test_a_reminder_chasing_nothing_is_not_for_these_rules() -> None:
    assert why_overtaken(account(item("A-1"), paused=True), [], POLICY, NOW) is None


def test_a_fact_overtakes_the_reminders_chasing_any_of_its_invoices() -> None:
    assert chases_any(["A-1", "A-2"], ["A-2"])
    assert not chases_any(["A-1"], ["A-2", "A-3"])
    assert chases_any(["A-1"], WHOLE_ACCOUNT)


@st.composite
def accounts(draw: st.DrawFn) -> tuple[Account, list[str]]:
    count = draw(st.integers(1, 4))
    items = tuple(
        item(
            f"A-{n}",
            disputed=draw(st.booleans()),
            promised_until=draw(
                st.none() | st.integers(-6, 6).map(lambda d: TODAY + timedelta(days=d))
            ),
        )
        for n in range(count)
    )
    paused = draw(st.booleans())
    until = draw(st.none() | st.integers(-2, 2).map(lambda d: TODAY + timedelta(days=d)))
    hold = draw(st.none() | st.integers(-2, 2).map(lambda d: said_paid(TODAY, d)))
    chased = draw(st.lists(st.sampled_from([i.number for i in items]), min_size=1, unique=True))
    return account(*items, paused=paused, paused_until=until, hold=hold), chased


@given(accounts())
def test_it_agrees_with_the_morning(scenario: tuple[Account, list[str]]) -> None:
    """What the morning would hold back the sender stops; what the sender lets go, the morning
    could still chase: every invoice in it."""
    whole, chased = scenario
    why = why_overtaken(whole, chased, POLICY, NOW)
    decided = decide(whole, POLICY, NOW)
    if isinstance(decided, NoAction) and decided.reason in (Reason.PAUSED, Reason.HELD):
        assert why == decided.detail
    only_chased = whole._replace(invoices=tuple(i for i in whole.invoices if i.number in chased))
    if why is None:
        decision = decide(only_chased, POLICY, NOW)
        held = (Reason.PAUSED, Reason.HELD, Reason.DISPUTED, Reason.PROMISED)
        assert not (isinstance(decision, NoAction) and decision.reason in held)
