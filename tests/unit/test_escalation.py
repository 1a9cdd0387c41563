"""The escalation policy: worked examples, then properties checked over generated accounts."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import load_policy
from bot.domain.escalation import (
    Account,
    NoAction,
    OpenItem,
    PastContact,
    Reason,
    Suggestion,
    decide,
)
from bot.rate_files import load_law_book, load_reference_rates
from bot.rendering.context import Addressee, Sender, reminder_context

POLICY = load_policy()
# Wednesday 2026-11-25, 10:00 in Paris
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
TODAY = date(2026, 11, 25)


def item(number: str = "F-1", days_late: int = 20, **kw) -> OpenItem:  # type: ignore[no-untyped-def]
    due = TODAY - timedelta(days=days_late)
    return OpenItem(number, kw.pop("currency", "EUR"), kw.pop("balance_minor", 50_000), due, **kw)


def account(*items: OpenItem, contacts: tuple[PastContact, ...] = (), **kw) -> Account:  # type: ignore[no-untyped-def]
    return Account(
        1, kw.pop("country", "FR"), kw.pop("timezone", "Europe/Paris"), items, contacts, **kw
    )


def sent(days_ago: int, stage: str, wording: str = "") -> PastContact:
    return PastContact(TODAY - timedelta(days=days_ago), stage, wording=wording)


def test_a_first_contact_starts_at_the_stage_its_lateness_calls_for() -> None:
    """The bundled policy at go-live (no history imported): a friendly "surely an oversight"
    only for a customer up to six weeks late; 45 days late starts firm, 90 days late the final
    notice (never a hand-off without one), each saying why on the card."""
    recent = decide(account(item(days_late=40)), POLICY, NOW)
    assert isinstance(recent, Suggestion) and recent.stage.name == "friendly" and not recent.note
    weeks = decide(account(item(days_late=50)), POLICY, NOW)
    assert isinstance(weeks, Suggestion) and weeks.stage.name == "firm"
    months = decide(account(item(days_late=199)), POLICY, NOW)
    assert isinstance(months, Suggestion) and months.stage.name == "final"
    assert months.note == (
        "first contact 199 days late: the policy starts at the final stage from 90 days"
    )


def test_the_ladder_moves_one_stage_at_a_time() -> None:
    history = (sent(40, "friendly"), sent(25, "firm"))
    decision = decide(account(item(days_late=50), contacts=history), POLICY, NOW)
    assert isinstance(decision, Suggestion) and decision.stage.name == "call"


def test_courtesy_five_days_before_the_due_date_and_optional_afterwards() -> None:
    early = decide(account(item(days_late=-6)), POLICY, NOW)
    assert isinstance(early, NoAction)  # nothing to say yet
    ahead = decide(account(item(days_late=-5)), POLICY, NOW)
    assert isinstance(ahead, Suggestion) and ahead.stage.name == "courtesy"
    assert ahead.days_overdue == -5 and not ahead.coming_due
    sent_then = decide(account(item(days_late=0), contacts=(sent(5, "courtesy"),)), POLICY, NOW)
    assert isinstance(sent_then, NoAction)  # once, not again on the due date
    later = decide(account(item(days_late=5)), POLICY, NOW)
    assert isinstance(later, Suggestion) and later.stage.name == "friendly"


def test_waiting_for_the_next_stage_says_when() -> None:
    decision = decide(account(item(days_late=10), contacts=(sent(7, "friendly"),)), POLICY, NOW)
    assert isinstance(decision, NoAction) and decision.reason is Reason.WAITING
    assert str(decision.detail) == (
        "“Friendly reminder” was already sent; “Firm reminder” opens at 15 days overdue (in 5 days)"
    )
    later = decide(account(item(days_late=14), contacts=(sent(7, "friendly"),)), POLICY, NOW)
    assert str(later.detail).endswith("(in 1 day)")  # type: ignore[union-attr]


def test_firm_repeats_after_its_interval_with_another_wording_hint() -> None:
    history = (sent(25, "friendly"), sent(13, "firm", "en/firm"))
    decision = decide(account(item(days_late=28), contacts=history), POLICY, NOW)
    assert isinstance(decision, Suggestion) and decision.stage.name == "firm"
    assert decision.last_wording == "en/firm"


def test_a_disputed_invoice_is_left_out_and_the_rest_chased() -> None:
    decision = decide(account(item("A", 40, disputed=True), item("B", 20)), POLICY, NOW)
    assert isinstance(decision, Suggestion)
    assert [i.number for i in decision.invoices] == ["B"]


def test_promise_suppresses_until_its_grace_ends() -> None:
    promised = item(promised_until=TODAY - timedelta(days=2))
    assert decide(account(promised), POLICY, NOW).reason is Reason.PROMISED  # type: ignore[union-attr]
    broken = item(promised_until=TODAY - timedelta(days=4))
    assert isinstance(decide(account(broken), POLICY, NOW), Suggestion)


def _sends_at(decision: object, timezone: str) -> datetime:
    assert isinstance(decision, Suggestion), decision
    return decision.send_after.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)


def test_holidays_weekends_and_hours_are_the_customers() -> None:
    christmas = datetime(2026, 12, 25, 9, tzinfo=UTC)  # Friday: sent on Monday 28th
    assert _sends_at(decide(account(item()), POLICY, christmas), "Europe/Paris") == datetime(
        2026, 12, 28, 9
    )
    saturday = datetime(2026, 11, 28, 9, tzinfo=UTC)
    assert _sends_at(decide(account(item()), POLICY, saturday), "Europe/Paris") == datetime(
        2026, 11, 30, 9
    )
    evening = datetime(2026, 11, 25, 18, 30, tzinfo=UTC)  # 19:30 in Paris: tomorrow morning
    assert _sends_at(decide(account(item()), POLICY, evening), "Europe/Paris") == datetime(
        2026, 11, 26, 9
    )
    open_now = decide(account(item()), POLICY, NOW)
    assert isinstance(open_now, Suggestion) and open_now.send_after == NOW
    early_in_new_york = decide(
        account(item(), country="US", timezone="America/New_York"), POLICY, NOW
    )
    assert isinstance(early_in_new_york, Suggestion)
    assert early_in_new_york.send_after == datetime(2026, 11, 25, 14, tzinfo=UTC)  # 09:00 EST


# Friday 2026-11-27, the company's digest at 09:00 in Paris
FRIDAY_DIGEST = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


def test_a_customer_in_sydney_gets_the_reminder_in_their_monday_business_hours() -> None:
    # 19:00 on Friday in Sydney: after hours, then their weekend
    decision = decide(
        account(item(), country="AU", timezone="Australia/Sydney"), POLICY, FRIDAY_DIGEST
    )
    assert _sends_at(decision, "Australia/Sydney") == datetime(2026, 11, 30, 9)  # Monday


def test_auckland_and_honolulu_are_served_not_dropped() -> None:
    # 21:00 on Friday in Auckland: their Monday morning
    auckland = decide(
        account(item(), country="NZ", timezone="Pacific/Auckland"), POLICY, FRIDAY_DIGEST
    )
    assert _sends_at(auckland, "Pacific/Auckland") == datetime(2026, 11, 30, 9)
    # 22:00 on Thursday in Honolulu (Thanksgiving, a US holiday): their Friday morning
    honolulu = decide(
        account(item(), country="US", timezone="Pacific/Honolulu"), POLICY, FRIDAY_DIGEST
    )
    assert _sends_at(honolulu, "Pacific/Honolulu") == datetime(2026, 11, 27, 9)


def test_small_balances_are_left_alone() -> None:
    decision = decide(account(item(balance_minor=950)), POLICY, NOW)
    assert decision.reason is Reason.UNDER_THRESHOLD  # type: ignore[union-attr]


def test_contact_cap_and_spacing() -> None:
    capped = (sent(29, "friendly"), sent(20, "firm"), sent(10, "call"))
    decision = decide(account(item(days_late=60), contacts=capped), POLICY, NOW)
    assert decision.reason is Reason.CONTACT_CAP  # type: ignore[union-attr]
    recent = (sent(30, "friendly"), sent(2, "firm"))
    decision = decide(account(item(days_late=35), contacts=recent), POLICY, NOW)
    assert decision.reason is Reason.TOO_RECENT  # type: ignore[union-attr]


# --- properties -------------------------------------------------------------------------------

STAGES = [s.name for s in POLICY.stages]
PLACES = [
    ("FR", "Europe/Paris"),
    ("DE", "Europe/Berlin"),
    ("GB", "Europe/London"),
    ("US", "America/New_York"),
    ("ES", "Europe/Madrid"),
]


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[Account, datetime]:
    now = draw(
        st.datetimes(
            min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
        )
    )
    country, zone = draw(st.sampled_from(PLACES))
    today = now.astimezone(__import__("zoneinfo").ZoneInfo(zone)).date()
    items = tuple(
        OpenItem(
            number=f"I{n}",
            currency=draw(st.sampled_from(["EUR", "GBP", "USD"])),
            balance_minor=draw(st.integers(1, 5_000_000)),
            due_date=today - timedelta(days=draw(st.integers(-30, 250))),
            disputed=draw(st.booleans()),
            promised_until=draw(
                st.none() | st.just(today + timedelta(days=draw(st.integers(-20, 20))))
            ),
        )
        for n in range(draw(st.integers(1, 5)))
    )
    contacts = tuple(
        sorted(
            (
                PastContact(
                    today - timedelta(days=draw(st.integers(0, 250))), draw(st.sampled_from(STAGES))
                )
                for _ in range(draw(st.integers(0, 8)))
            ),
            key=lambda c: c.day,
        )
    )
    paused = draw(st.booleans())
    paused_until = draw(st.none() | st.just(today + timedelta(days=draw(st.integers(-10, 10)))))
    return Account(1, country, zone, items, contacts, paused, paused_until), now


def _local_today(account: Account, now: datetime) -> date:
    from bot.domain.calendar import local_today

    return local_today(now, account.timezone)


@settings(max_examples=400, deadline=None)
@given(scenarios())
def test_always_a_suggestion_or_a_reason(scenario: tuple[Account, datetime]) -> None:
    account, now = scenario
    decision = decide(account, POLICY, now)
    assert isinstance(decision, Suggestion | NoAction)
    if isinstance(decision, NoAction):
        assert decision.reason in Reason and str(decision.detail).strip()
    else:
        assert decision.invoices and not any(i.disputed for i in decision.invoices)


@settings(max_examples=400, deadline=None)
@given(scenarios())
def test_never_for_a_paused_or_fully_disputed_customer(scenario: tuple[Account, datetime]) -> None:
    account, now = scenario
    today = _local_today(account, now)
    decision = decide(account, POLICY, now)
    paused = account.paused and (account.paused_until is None or account.paused_until >= today)
    if paused or all(i.disputed for i in account.invoices):
        assert not isinstance(decision, Suggestion)


@settings(max_examples=400, deadline=None)
@given(scenarios())
def test_never_above_the_contact_cap(scenario: tuple[Account, datetime]) -> None:
    account, now = scenario
    today = _local_today(account, now)
    recent = [c for c in account.contacts if c.day > today - timedelta(days=30)]
    if len(recent) >= POLICY.max_contacts_per_30_days:
        assert not isinstance(decide(account, POLICY, now), Suggestion)


@settings(max_examples=400, deadline=None)
@given(scenarios())
def test_never_a_skipped_stage(scenario: tuple[Account, datetime]) -> None:
    account, now = scenario
    decision = decide(account, POLICY, now)
    if not isinstance(decision, Suggestion):
        return
    episode_start = decision.invoices[0].due_date + timedelta(days=min(0, POLICY.earliest_opening))
    sent = {c.stage for c in account.contacts if c.day >= episode_start}
    names = [s.name for s in POLICY.stages]
    furthest = max((names.index(s) for s in sent if s in names), default=-1)
    for index, stage in enumerate(POLICY.stages):
        if stage is decision.stage:
            break
        passed = index <= furthest  # the team already went beyond it
        started = bool(decision.note) and not sent  # a first contact starts where lateness says
        assert stage.optional or stage.name in sent or passed or started, (
            stage.name,
            decision.stage.name,
        )
    assert decision.stage.opens_at_days <= decision.days_overdue


def test_a_chase_carries_only_past_due_invoices_and_mentions_the_rest_apart() -> None:
    decision = decide(account(item("OLD", 20), item("TODAY", 0), item("LATER", -10)), POLICY, NOW)
    assert isinstance(decision, Suggestion) and decision.stage.name == "friendly"
    assert [i.number for i in decision.invoices] == ["OLD"]
    assert [i.number for i in decision.coming_due] == ["TODAY"]


def test_a_courtesy_note_carries_only_what_is_coming_due() -> None:
    decision = decide(account(item("TODAY", 0), item("LATER", -10)), POLICY, NOW)
    assert isinstance(decision, Suggestion) and decision.stage.pre_due
    assert [i.number for i in decision.invoices] == ["TODAY"] and not decision.coming_due
    past = decide(account(item("LATE", 1)), POLICY, NOW)  # past due: no longer a courtesy
    assert isinstance(past, NoAction) and past.reason is Reason.WAITING


LAWS = load_law_book(load_reference_rates())
#: the policy with statutory charges on every stage, so that every chase computes them
CHARGING = replace(
    POLICY, stages=tuple(replace(s, late_payment_rights=True) for s in POLICY.stages)
)


@settings(max_examples=400, deadline=None)
@given(scenarios(), st.sampled_from(["FR", "DE", "BE", "NL", "IE", "GB", "US"]))
def test_no_chase_lists_or_charges_an_invoice_not_past_due(
    scenario: tuple[Account, datetime], law: str
) -> None:
    account, now = scenario
    today = _local_today(account, now)
    decision = decide(account, CHARGING, now)
    if not isinstance(decision, Suggestion):
        return
    if not decision.stage.pre_due:
        assert all(i.due_date < today for i in decision.invoices)
    assert all(i.due_date >= today for i in decision.coming_due)
    context = reminder_context(
        addressee=Addressee("C", "", "en", account.country, law),
        suggestion=decision,
        sender=Sender("S", "", "", "", ""),
        today=today,
        laws=LAWS,
    )
    due = {i.number: i.due_date for i in account.invoices}
    assert all(due[c["number"]] < today for c in context["charges"])


def test_the_ladder_continues_above_the_furthest_stage_already_sent() -> None:
    """History taken over at go-live may start at firm: friendly is not sent afterwards."""
    history = (sent(40, "firm"),)
    decision = decide(account(item(days_late=50), contacts=history), POLICY, NOW)
    assert isinstance(decision, Suggestion) and decision.stage.name == "call"


def _policy_starting_firm_from(days: int):  # type: ignore[no-untyped-def]
    from dataclasses import replace

    stages = tuple(
        replace(s, first_contact_from_days=days if s.name == "firm" else None)
        for s in POLICY.stages
    )
    return replace(POLICY, stages=stages)


def test_a_first_contact_long_overdue_starts_where_the_policy_says() -> None:
    policy = _policy_starting_firm_from(120)
    late = decide(account(item(days_late=199)), policy, NOW)
    assert isinstance(late, Suggestion) and late.stage.name == "firm"
    assert (
        late.note
        == "first contact 199 days late: the policy starts at the firm stage from 120 days"
    )
    recent = decide(account(item(days_late=50)), policy, NOW)
    assert isinstance(recent, Suggestion) and recent.stage.name == "friendly" and not recent.note
    after = decide(account(item(days_late=199), contacts=(sent(10, "firm"),)), policy, NOW)
    assert isinstance(after, Suggestion) and after.stage.name == "call" and not after.note


def test_when_email_reaches_nobody_the_next_step_is_a_call() -> None:
    failing = decide(account(item(days_late=20), email_failing=True), POLICY, NOW)
    assert isinstance(failing, Suggestion) and failing.stage.name == "call"
    assert failing.stage.channel == "phone"
    final = decide(
        account(
            item(days_late=50),
            contacts=(sent(40, "friendly"), sent(25, "firm"), sent(10, "call")),
            email_failing=True,
        ),
        POLICY,
        NOW,
    )
    assert not (isinstance(final, Suggestion) and final.stage.channel == "email")
