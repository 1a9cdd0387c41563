"""The customer's page over real HTTP, served by the same app as the Slack endpoints: what it
shows, what each answer changes, where the collectors hear of it, and what it refuses."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from urllib.error import HTTPError
from urllib.request import Request, urlopen

from sqlmodel import select

from bot.config import Settings
from bot.db import read_only, unit_of_work
from bot.domain.escalation import Suggestion
from bot.models import ContactChange, Customer, Dispute, Invoice, Promise
from bot.services.accounts import contact_changes
from bot.services.audit.export import export_csv
from bot.services.page import page_links
from bot.services.reminders.suggestions import todays_decisions
from bot.slack.blocks.page_news import PAGE_HANDLE
from tests.support.page_world import CARD_CHANNEL, CARD_TS, PageWorld, http
from tests.support.segments import key_accounts
from tests.support.slack_fixtures import APPROVER

HOSTILE = (
    '<script>alert(1)</script> <!channel> <https://evil.example|bank> =HYPERLINK("x") {{ 7*7 }}'
)


def test_the_page_shows_the_customers_open_invoices_and_how_to_pay(
    page_world: PageWorld,
) -> None:
    answer = http("GET", page_world.link("A"))
    assert answer.status == 200
    body = answer.body.replace("\u202f", " ").replace("\xa0", " ")  # Babel's French spaces
    for number in ("F-101", "F-102", "F-103"):
        assert f'data-invoice="{number}"' in body
    assert "D-201" not in body and "Müller" not in body  # another customer's
    assert "Votre compte chez Relance Demo SAS" in body  # customer A writes French
    assert "1 200,00" in body and "300,00" in body  # amount, and F-102's balance after 50,50
    assert "1 599,90" in body  # the total
    assert "FR76 3000 6000 0112 3456 7890 189" in body  # the euro account
    assert "<svg" in body  # its EPC QR code, inline
    assert "Payer la facture F-101 en ligne" in body  # its payment link; F-103 has none
    # who the company is (Code de commerce R123-237), and the warning against fake bank details
    assert "RCS Paris 912 345 675" in body and "au capital de 10 000 €" in body
    assert "Nous ne modifions jamais nos coordonnées bancaires par e-mail" in body
    # what to pay and how come before the list of invoices
    assert body.index('class="total"') < body.index('id="pay"') < body.index('id="invoices"')
    assert "F-103 en ligne" not in body
    assert answer.headers["Referrer-Policy"] == "no-referrer"
    assert "default-src 'none'" in answer.headers["Content-Security-Policy"]
    assert "https://" not in body.split("<body>")[0]  # no third-party asset in the head
    views = page_world.events("page_view")
    assert len(views) == 1 and views[0].customer_id == page_world.customers["A"]
    assert json.loads(views[0].content)["client"] == "127.0.0.1"
    # the customer's card shows it: "seen … ago", in each reader's time
    update = page_world.fake.wait_for(lambda: page_world.fake.calls_to("chat.update"))[0]
    assert update.args["ts"] == CARD_TS
    assert "Customer page seen <!date^" in json.dumps(update.args["blocks"])


def test_a_pound_customer_gets_the_pound_account_and_no_euro_qr(page_world: PageWorld) -> None:
    body = http("GET", page_world.link("C")).body
    assert "Sort code 20-20-15" in body and "FR76" not in body
    assert "<svg" not in body


def test_a_promise_takes_effect_and_reaches_the_cards_thread(page_world: PageWorld) -> None:
    url = page_world.link("A")
    due = (page_world.today + timedelta(days=10)).isoformat()
    answer = page_world.post(url, "promise", {"invoice": "F-101", "date": due, "amount": "600"})
    assert answer.status == 303 and "done=promise" in answer.headers["Location"]
    with read_only(page_world.engine) as session:
        promise = session.exec(select(Promise)).one()
    assert promise.promised_date.isoformat() == due and promise.amount_minor == 60000
    (event,) = page_world.events("promise")
    content = json.loads(event.content)
    assert event.channel == "page" and content["client"] == "127.0.0.1" and content["link"]
    (news,) = page_world.news()
    assert (news["channel"], news["thread_ts"]) == (CARD_CHANNEL, CARD_TS)
    buttons = [
        e["text"]["text"] for b in news["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert buttons == ["Accept promise", "Open account"]
    assert (
        "promis"
        in http(
            "GET",
            answer.headers["Location"].join(["", ""])
            if False
            else page_world.base + answer.headers["Location"],
        ).body
    )


def test_a_collector_accepts_the_promise_from_slack(page_world: PageWorld) -> None:
    url = page_world.link("A")
    due = (page_world.today + timedelta(days=3)).isoformat()
    page_world.post(url, "promise", {"invoice": "F-102", "date": due, "amount": ""})
    (news,) = page_world.news()
    value = next(
        e["value"]
        for b in news["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == PAGE_HANDLE
    )
    reply = page_world.slack.click(
        PAGE_HANDLE, value, user=APPROVER, response_url=page_world.fake.response_url()
    )
    assert reply.status == 200
    page_world.fake.wait_for(
        lambda: [u for u in page_world.fake.calls_to("chat.update") if u.args["ts"] != CARD_TS]
    )  # the news message, not the card the promise expired
    (handled,) = page_world.events("page_news_handled")
    assert handled.actor == APPROVER and json.loads(handled.content)["news"] == "promise"


def test_dispute_and_paid_reach_slack_and_the_audit_trail(page_world: PageWorld) -> None:
    url = page_world.link("A")
    answer = page_world.post(
        url, "dispute", {"invoice": "F-103", "reason": "wrong_amount", "text": "We ordered 2"}
    )
    assert answer.status == 303
    with read_only(page_world.engine) as session:
        dispute = session.exec(select(Dispute)).one()
    assert dispute.reason == "wrong_amount: We ordered 2" and dispute.resolved_at is None
    answer = page_world.post(
        url,
        "paid",
        {"paid_on": page_world.today.isoformat(), "amount": "1 200,00", "reference": "VIR 123"},
    )
    assert answer.status == 303
    (paid,) = page_world.events("page_paid")
    assert json.loads(paid.content)["amount"] == "1200.00"
    kinds = [n["text"] for n in page_world.news()]
    assert len(kinds) == 2 and "disputes an invoice" in kinds[0] and "have paid" in kinds[1]
    assert all(n["thread_ts"] == CARD_TS for n in page_world.news())


def test_a_plan_is_offered_within_the_limits_with_its_schedule_first_and_contact_changes(
    page_world: PageWorld,
) -> None:
    url = page_world.link("A")
    beyond = page_world.post(url, "plan", {"instalments": "12", "step": "send", "lang": "en"})
    assert beyond.status == 400 and "give a number from 2 to 6" in beyond.body  # the policy's
    assert 'max="6"' in http("GET", url).body
    preview = page_world.post(url, "plan", {"instalments": "3", "lang": "en"})
    assert preview.status == 200 and not page_world.news()  # shown, not sent
    schedule = preview.body.split('class="schedule"')[1].split("</table>")[0]
    days = [page_world.today + timedelta(days=30 * n) for n in range(3)]
    for day in days:  # what is due now (1 599,90 €) in three, thirty days apart
        assert f"{day.day} {day.strftime('%B')} {day.year}" in schedule
    assert schedule.count("533,30\xa0€") == 3  # English words, French figures (en_FR)
    assert page_world.post(url, "plan", {"instalments": "3", "step": "send"}).status == 303
    assert (
        page_world.post(
            url,
            "contact",
            {"contact_name": "Jeanne", "email": "jeanne@atelier.example", "phone": ""},
        ).status
        == 303
    )
    plan, contact = page_world.news()
    assert "EUR" in json.dumps(plan["blocks"]) and "533.30" in json.dumps(plan["blocks"])
    (request,) = page_world.events("page_plan_request")
    assert json.loads(request.content)["schedule"].startswith(f"{days[0].isoformat()}: 533.30")
    assert "billing contact" in contact["text"]
    with read_only(page_world.engine) as session:
        customer = session.get(Customer, page_world.customers["A"])
    assert customer.email != "jeanne@atelier.example"  # a request: a collector accepts it


def test_forged_expired_revoked_and_other_customers_links_show_nothing(
    page_world: PageWorld,
) -> None:
    good = page_world.link("A")
    forged = page_links.page_url(
        page_world.engine,
        Settings(page_secret="guess", public_url=page_world.base),
        page_world.customers["A"],
        page_world.runtime.now(),
    )
    old = page_links.url_for(
        page_world.runtime.settings,
        good.rsplit("/", 1)[1] and _public_id(page_world, "A"),
        page_world.runtime.now() - timedelta(days=61),
    )
    for url, status in ((forged, 403), (good + "x", 403), (old, 410)):
        answer = http("GET", url)
        assert answer.status == status
        assert "F-101" not in answer.body and "Atelier" not in answer.body
        assert status != 410 or "Ce lien a expiré" in answer.body  # in the customer's words
    page_links.new_link(
        page_world.engine, page_world.runtime.settings, "A", APPROVER, page_world.runtime.now()
    )
    revoked = http("GET", good)
    assert revoked.status == 403 and "F-101" not in revoked.body
    # a link we issued is refused in its customer's language, with whom to contact
    assert "remplacé par un plus récent" in revoked.body and 'lang="fr"' in revoked.body
    assert "ar@relance-demo.example" in revoked.body and "+33 1 84 00 00 00" in revoked.body
    # B's link shows only B, and B's form cannot name A's invoice
    b = page_world.link("B")
    assert "F-101" not in http("GET", b).body
    refused = page_world.post(
        b, "promise", {"invoice": "F-101", "date": page_world.today.isoformat()}
    )
    assert refused.status == 400 and not page_world.events("promise")


def test_several_invoices_are_promised_or_disputed_at_once(page_world: PageWorld) -> None:
    url = page_world.link("A")
    promised = (page_world.today + timedelta(days=10)).isoformat()
    # ticked boxes arrive as repeated fields; 400,00 is spread oldest first
    answer = http(
        "POST",
        f"{url}/promise",
        None,
        raw=f"csrf={page_world.csrf(url)}&invoice=F-102&invoice=F-101&date={promised}"
        "&amount=1300,00",
    )
    assert answer.status == 303
    with read_only(page_world.engine) as session:
        promises = {
            number: p.amount_minor
            for p, number in session.exec(
                select(Promise, Invoice.number).join(Invoice, Invoice.id == Promise.invoice_id)
            )
        }
    assert promises == {"F-101": 120000, "F-102": 10000}  # F-101 first: it fell due first
    (news,) = page_world.news()
    assert "F-101, F-102" in json.dumps(news["blocks"])
    both = http(
        "POST",
        f"{url}/dispute",
        None,
        raw=f"csrf={page_world.csrf(url)}&invoice=F-103&invoice=F-101&reason=quality&text=cass%C3%A9",
    )
    assert both.status == 303
    with read_only(page_world.engine) as session:
        disputed = set(
            session.exec(
                select(Invoice.number).join(Dispute, Dispute.invoice_id == Invoice.id)
            ).all()
        )
    assert disputed == {"F-101", "F-103"}
    again = http(
        "POST",
        f"{url}/dispute",
        None,
        raw=f"csrf={page_world.csrf(url)}&invoice=F-102&invoice=F-103&reason=other&text=x",
    )
    assert again.status == 400  # F-103 is disputed already: F-102 is not opened either
    with read_only(page_world.engine) as session:
        assert len(session.exec(select(Dispute)).all()) == 2


def test_a_forged_link_is_refused_in_the_browsers_language_with_the_contact(
    page_world: PageWorld,
) -> None:
    request = Request(page_world.link("A") + "x", headers={"Accept-Language": "es-ES;q=0.4, de"})
    try:
        urlopen(request, timeout=30)
    except HTTPError as refused:
        assert refused.code == 403
        body = refused.read().decode()
    assert 'lang="de"' in body and "Dieser Link ist ungültig" in body  # de outweighs es
    assert "Camille Laurent" in body and "RCS Paris, 912 345 675" in body
    assert "F-101" not in body


def _public_id(world: PageWorld, customer: str) -> str:
    return page_links.current_link(world.engine, world.customers[customer])


def test_a_form_without_its_csrf_token_or_with_another_links_is_refused(
    page_world: PageWorld,
) -> None:
    a, b = page_world.link("A"), page_world.link("B")
    form = {"invoice": "F-101", "date": page_world.today.isoformat()}
    assert page_world.post(a, "promise", form, csrf=False).status == 403
    stolen = http("POST", f"{a}/promise", {**form, "csrf": page_world.csrf(b)})
    assert stolen.status == 403
    assert not page_world.events("promise") and not page_world.news()


def test_a_promise_past_the_policys_limit_is_refused(page_world: PageWorld) -> None:
    url = page_world.link("A")
    too_far = (page_world.today + timedelta(days=31)).isoformat()
    answer = page_world.post(url, "promise", {"invoice": "F-101", "date": too_far, "lang": "en"})
    assert answer.status == 400
    assert "up to 30 days from today" in answer.body
    assert 'aria-invalid="true"' in answer.body
    # the banner lists what to fix, not only "Please check the form:"
    banner = answer.body.split('role="alert"')[1].split("</div>")[0]
    assert "<li>I will pay by: we can accept a date up to 30 days from today</li>" in banner
    assert not page_world.events("promise") and not page_world.news()


def test_a_customer_in_a_segment_may_promise_as_far_as_its_policy_allows(
    page_world: PageWorld,
) -> None:
    key_accounts(
        page_world.runtime, "DE", limits={"promise_max_days": 60}, plans={"max_instalments": 3}
    )
    today = page_world.today
    b = page_world.link("B")  # Müller, in Germany: a key account
    assert f'max="{(today + timedelta(days=60)).isoformat()}"' in http("GET", b).body
    assert (
        f'max="{(today + timedelta(days=30)).isoformat()}"'
        in http("GET", page_world.link("A")).body
    )

    def promise(days: int) -> dict[str, str]:
        return {
            "invoice": "D-201",
            "date": (today + timedelta(days=days)).isoformat(),
            "lang": "en",
        }

    beyond = page_world.post(b, "plan", {"instalments": "4", "step": "send", "lang": "en"})
    assert beyond.status == 400 and "from 2 to 3" in beyond.body  # the keys' limit
    assert page_world.post(b, "plan", {"instalments": "3", "step": "send"}).status == 303
    too_far = page_world.post(b, "promise", promise(61))
    assert too_far.status == 400 and "up to 60 days from today" in too_far.body
    assert page_world.post(b, "promise", promise(45)).status == 303
    plan, promised = page_world.news()
    assert (today + timedelta(days=45)).isoformat() in json.dumps(promised)
    assert "Instalments:* 3" in json.dumps(plan["blocks"])


def test_a_hundred_posts_in_a_minute_are_limited_and_none_accepted_is_lost(
    page_world: PageWorld,
) -> None:
    url = page_world.link("A")
    csrf = page_world.csrf(url)
    statuses = [
        http(
            "POST",
            f"{url}/paid",
            {"csrf": csrf, "paid_on": page_world.today.isoformat(), "amount": f"{n + 1}"},
        ).status
        for n in range(100)
    ]
    accepted = statuses.count(303)
    assert accepted == 20 and statuses.count(429) == 80
    recorded = sorted(json.loads(e.content)["amount"] for e in page_world.events("page_paid"))
    assert recorded == sorted(f"{n}.00" for n in range(1, 21))
    assert len(page_world.news()) == accepted


def test_hostile_text_is_inert_on_the_page_in_slack_and_in_the_export(
    page_world: PageWorld,
) -> None:
    url = page_world.link("A")
    assert (
        page_world.post(
            url, "dispute", {"invoice": "F-101", "reason": "other", "text": HOSTILE}
        ).status
        == 303
    )
    assert (
        page_world.post(
            url,
            "paid",
            {"paid_on": page_world.today.isoformat(), "amount": "1", "reference": HOSTILE},
        ).status
        == 303
    )
    assert (
        page_world.post(
            url, "contact", {"contact_name": HOSTILE, "email": "x@atelier.example", "phone": ""}
        ).status
        == 303
    )
    with read_only(page_world.engine) as session:
        (change,) = session.exec(select(ContactChange)).all()
    contact_changes.accept(page_world.engine, change.id, APPROVER, page_world.runtime.now())
    body = http("GET", url).body
    assert "<script>alert" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "{{ 7*7 }}" in body  # shown as typed, never evaluated
    for news in page_world.news():
        text = json.dumps(news["blocks"])
        assert "<!channel>" not in text and "<https://evil" not in text
        assert "&lt;!channel&gt;" in text
    out = io.StringIO()
    export_csv(page_world.engine, out)
    for line in out.getvalue().splitlines()[1:]:
        for cell in line.split(","):
            assert not cell.startswith(("=", "+", "@"))
    assert "<script>alert(1)</script>" in out.getvalue()  # kept exactly, as data


def test_control_characters_are_refused_with_the_field_named(page_world: PageWorld) -> None:
    url = page_world.link("A")
    answer = page_world.post(
        url,
        "dispute",
        {"invoice": "F-101", "reason": "other", "text": "fine\x1b[31m", "lang": "en"},
    )
    assert answer.status == 400
    assert 'id="dispute-text-error"' in answer.body and "characters we cannot accept" in answer.body
    assert not page_world.events("dispute")


def test_every_reminder_carries_the_customers_link(page_world: PageWorld) -> None:
    runtime = page_world.runtime
    with read_only(page_world.engine) as session:
        due = [
            item
            for item in todays_decisions(session, runtime.policy, runtime.now())
            if isinstance(item.decision, Suggestion)
        ]
    assert {item.customer.external_id for item in due} == {"A", "B", "C"}
    for item in due:
        url = runtime.composer.context(item.customer, item.decision, page_world.today)[
            "customer_page_url"
        ]
        assert url.startswith(page_world.base + "/pay/")
        holder = page_links.resolve(
            page_world.engine, runtime.settings, url.rsplit("/", 1)[1], runtime.now()
        )
        assert holder.customer_id == item.customer.id


def test_new_link_from_slack_revokes_every_link_sent(page_world: PageWorld) -> None:
    sent = page_world.link("A")
    page_world.slack.command(
        "customer A", user=APPROVER, response_url=page_world.fake.response_url("cmd")
    )
    answer = page_world.fake.wait_for(lambda: page_world.fake.calls_to("response_url"))[0]
    button = next(e for b in answer.args["blocks"] if b["type"] == "actions" for e in b["elements"])
    assert button["text"]["text"] == "New link" and "confirm" in button
    page_world.slack.click(
        button["action_id"],
        button["value"],
        user=APPROVER,
        response_url=page_world.fake.response_url("new"),
    )
    replies = page_world.fake.wait_for(
        lambda: [
            c for c in page_world.fake.calls_to("response_url") if c.args["path"].endswith("new")
        ]
    )
    fresh = replies[0].args["text"].rsplit(" ", 1)[1]
    assert http("GET", sent).status == 403
    assert http("GET", fresh).status == 200
    (renewed,) = page_world.events("page_link_renewed")
    assert renewed.actor == APPROVER


def test_a_credit_in_the_customers_favour_is_shown_and_taken_off_the_total(
    page_world: PageWorld,
) -> None:
    with unit_of_work(page_world.engine) as session:  # a credit note, as an import leaves it
        session.add(
            Invoice(
                number="AV-7",
                customer_id=page_world.customers["A"],
                currency="EUR",
                amount_minor=0,
                paid_minor=5000,
                issue_date=page_world.today,
                due_date=page_world.today,
            )
        )
    body = http("GET", page_world.link("A")).body.replace("\u202f", " ").replace("\xa0", " ")
    assert "Avoirs en votre faveur" in body and "AV-7: -50,00 €" in body
    assert "1 549,90 €" in body  # 1 599,90 € less the credit
    assert 'data-invoice="AV-7"' not in body  # never among the invoices to pay
