"""Listening, against a real IMAP server (Dovecot): each message read from the reply mailbox
is matched, classified, recorded once with its consequences, and moved to the done folder.

The customers' messages here are DKIM-signed by their domains (the suite's own key, its DNS
record served from memory): authenticated, they act by themselves. What strangers can forge
is tests/integration/test_inbox_trust.py."""

from __future__ import annotations

import json
import ssl
import threading
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.channels.email import message_id, reply_address
from bot.channels.imap import connect
from bot.channels.transport import InsecureTransport
from bot.config import Settings, load_policy
from bot.db import read_only, unit_of_work
from bot.importing.mapping import load_mapping
from bot.models import AuditEvent, Customer, InboundMessage, Reminder, ReminderInvoice
from bot.rendering.staff_text import Phrase
from bot.services.common.errors import Invalid
from bot.services.common.queries import id_of
from bot.services.inbox import mailbox as inbox
from bot.services.inbox.actions import confirm
from bot.services.ledger.importing import import_invoices
from bot.services.reminders.suggestions import todays_decisions
from tests.support.csvfiles import line, write_csv
from tests.support.dkim_signer import signed, trusting
from tests.support.imap_server import ImapServer
from tests.support.mail_samples import hard_bounce, reply

NOW = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
MAIL_FROM = "Relance <ar@relance.example>"
SECRET = "test-mail-secret"


def _settings(imap: ImapServer) -> Settings:
    return Settings(
        mail_from=MAIL_FROM,
        mail_token_secret=SECRET,
        imap_host=imap.host,
        imap_port=imap.port,
        imap_security="none",
        imap_user=imap.user,
        imap_password=imap.password,
    )


@pytest.fixture
def ledger(engine: Engine, tmp_path: Path) -> dict[str, int]:
    """Two customers, each with a reminder sent; their ids by external id, and the reminder's."""
    rows = [
        line(customer_id="A", email="jean@atelier.example", invoice_number="F-001"),
        line(
            customer_id="B",
            customer_name="Brasserie Van den Berg",
            email="compta@brasserie.example",
            invoice_number="BR-77",
        ),
    ]
    import_invoices(engine, write_csv(tmp_path / "ledger.csv", rows), load_mapping())
    with unit_of_work(engine) as session:
        ids = {c.external_id: c.id for c in session.exec(select(Customer))}
        reminder = Reminder(
            customer_id=ids["A"],
            run_date=date(2026, 11, 20),
            stage="friendly",
            channel="email",
            language="fr",
            invoices=ReminderInvoice.listing(["F-001"]),
            state="sent",
        )
        session.add(reminder)
        session.flush()
        ids["reminder"] = reminder.id
    return ids


def listening() -> inbox.Listening:
    return trusting(Settings(mail_token_secret=SECRET))


def _fetch(engine: Engine, imap: ImapServer, now: datetime = NOW) -> inbox.FetchReport:
    with connect(_settings(imap)) as mailbox:
        return inbox.fetch_mail(engine, mailbox, now, listening())


def _rows(engine: Engine) -> list[InboundMessage]:
    with read_only(engine) as session:
        return list(session.exec(select(InboundMessage).order_by(InboundMessage.id)))


def _customer(engine: Engine, customer_id: int) -> Customer:
    with read_only(engine) as session:
        return session.get(Customer, customer_id)


def test_a_reply_threaded_by_in_reply_to_holds_the_ladder(
    engine: Engine, imap: ImapServer, ledger: dict[str, int]
) -> None:
    reminder_mid = message_id(ledger["reminder"], _settings(imap))
    imap.append(signed(reply(sender="jean.l@atelier.example", in_reply_to=reminder_mid)))
    report = _fetch(engine, imap)
    assert [(h.kind, h.customer_id, h.matched_by) for h in report.handled] == [
        ("reply", ledger["A"], "thread")
    ]
    (row,) = _rows(engine)
    assert row.reminder_id == ledger["reminder"] and row.moved
    summary = json.loads(row.summary)
    assert summary["text"] == "We never received the goods."  # quoted history trimmed
    customer = _customer(engine, ledger["A"])
    assert customer.paused and customer.paused_until is None
    assert imap.uids("INBOX") == [] and len(imap.uids("Relance.Handled")) == 1
    with read_only(engine) as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.kind == "inbound")).one()
    assert "On Monday, Relance wrote:" in json.loads(event.content)["text"]  # the full text


def test_matched_by_sender_only_and_unmatched(
    engine: Engine, imap: ImapServer, ledger: dict[str, int]
) -> None:
    imap.append(reply(sender="Compta <COMPTA@brasserie.example>", subject="Question").as_bytes())
    imap.append(reply(sender="stranger@nowhere.example", subject="Hello").as_bytes())
    report = _fetch(engine, imap)
    assert [(h.customer_id, h.matched_by) for h in report.handled] == [
        (ledger["B"], "sender"),
        (None, ""),
    ]
    assert not _customer(engine, ledger["A"]).paused


def test_an_invoice_number_in_the_subject_matches(
    engine: Engine, imap: ImapServer, ledger: dict[str, int]
) -> None:
    imap.append(reply(sender="x@gmail.com", subject="About invoice BR-77, please").as_bytes())
    (handled,) = _fetch(engine, imap).handled
    assert (handled.customer_id, handled.matched_by) == (ledger["B"], "subject")


def test_a_hard_bounce_marks_the_address_failing(
    engine: Engine, imap: ImapServer, ledger: dict[str, int]
) -> None:
    sent = message_id(ledger["reminder"], _settings(imap))
    imap.append(hard_bounce("jean@atelier.example", sent))
    (handled,) = _fetch(engine, imap).handled
    assert (handled.kind, handled.customer_id, handled.matched_by) == (
        "bounce",
        ledger["A"],
        "thread",
    )
    problem = _customer(engine, ledger["A"]).email_problem
    assert "jean@atelier.example" in problem and "5.1.1" in problem
    with read_only(engine) as session:
        decisions = {
            d.customer.id: d.decision for d in todays_decisions(session, load_policy(), NOW)
        }
    assert decisions[ledger["A"]].stage.name == "call"  # e-mail reaches nobody: phone them
    assert decisions[ledger["B"]].stage.channel == "email"


def test_out_of_office_with_a_return_date_holds_until_then(
    engine: Engine, imap: ImapServer, ledger: dict[str, int]
) -> None:
    imap.append(
        signed(
            reply(
                subject="Automatic reply: Your invoice",
                text="I am out of the office until 7 December 2026 with limited access to e-mail.",
                headers={"Auto-Submitted": "auto-replied"},
            )
        )
    )
    (handled,) = _fetch(engine, imap).handled
    assert handled.kind == "out_of_office"
    customer = _customer(engine, ledger["A"])
    assert customer.paused and customer.paused_until == date(2026, 12, 7)


def test_left_the_company_flags_the_contact(
    engine: Engine, imap: ImapServer, ledger: dict[str, int]
) -> None:
    imap.append(
        signed(
            reply(
                subject="Réponse automatique",
                text="Jean Lefèvre ne fait plus partie de la société. Écrivez à contact@atelier.",
                headers={"X-Autoreply": "yes"},
            )
        )
    )
    (handled,) = _fetch(engine, imap).handled
    assert handled.kind == "left_company"
    assert "left the company" in _customer(engine, ledger["A"]).email_problem


def test_hostile_subject_html_only_and_a_big_attachment(
    engine: Engine, imap: ImapServer, ledger: dict[str, int]
) -> None:
    message = reply(
        subject="<!channel> {{ settings.smtp_password }} \u202e",
        text="",
        html="<p>Paid <b>yesterday</b></p><script>alert(1)</script><p>&lt;@U1&gt;</p>",
    )
    message.add_attachment(
        b"\0" * (10 * 1024 * 1024), maintype="application", subtype="pdf", filename="proof.pdf"
    )
    imap.append(message.as_bytes())
    assert len(_fetch(engine, imap).handled) == 1
    (row,) = _rows(engine)
    summary = json.loads(row.summary)
    assert row.subject == "<!channel> {{ settings.smtp_password }}"  # data; no bidi override
    assert summary["text"] == "Paid yesterday\n\n<@U1>"  # script dropped, entities decoded
    assert summary["attachments"] == [["proof.pdf", 10 * 1024 * 1024]]
    with read_only(engine) as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.kind == "inbound")).one()
    assert len(event.content) < 10_000  # the attachment listed, never stored


def test_a_malformed_message_is_set_aside_once(
    engine: Engine, imap: ImapServer, ledger: dict[str, int]
) -> None:
    imap.append(
        b"From: broken@atelier.example\r\nSubject: =?utf-8?B?###?=\r\n"
        b'Content-Type: multipart/mixed; boundary="never-closed"\r\n\r\n'
        b"--never-closed\r\nContent-Type: text/plain; charset=x-unknown-charset\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n!!!not base64!!!\r\n"
    )
    first = _fetch(engine, imap)
    assert len(first.handled) == 1 and first.failed == []
    second = _fetch(engine, imap)
    assert second.handled == [] and second.failed == []
    assert imap.uids("INBOX") == []


def test_two_instances_reading_at_once_handle_each_message_once(
    engine: Engine, imap: ImapServer, ledger: dict[str, int]
) -> None:
    for n in range(12):
        imap.append(reply(subject=f"Question {n}", text=f"Question number {n}").as_bytes())
    reports: list[inbox.FetchReport] = []
    start = threading.Barrier(2)

    def instance() -> None:
        start.wait()
        reports.append(_fetch(engine, imap))

    threads = [threading.Thread(target=instance) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(len(r.handled) for r in reports) == 12
    assert all(r.failed == [] for r in reports)
    assert len(_rows(engine)) == 12
    with read_only(engine) as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.kind == "inbound")).all()
    assert len(events) == 12
    assert imap.uids("INBOX") == [] and len(imap.uids("Relance.Handled")) == 12


class Crash(BaseException):
    """A process killed mid-way: nothing after it runs."""


def test_a_crash_between_reading_and_recording_is_handled_once_after_restart(
    engine: Engine, imap: ImapServer, ledger: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    imap.append(reply(subject="First").as_bytes())
    real_record = inbox.record

    def crash(*args: object, **kwargs: object) -> None:
        raise Crash

    monkeypatch.setattr(inbox, "record", crash)
    with pytest.raises(Crash):
        _fetch(engine, imap)
    assert _rows(engine) == [] and len(imap.uids("INBOX")) == 1
    monkeypatch.setattr(inbox, "record", real_record)
    assert len(_fetch(engine, imap).handled) == 1
    assert _fetch(engine, imap).handled == []
    assert len(_rows(engine)) == 1


def test_a_crash_between_recording_and_moving_only_moves_after_restart(
    engine: Engine, imap: ImapServer, ledger: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    imap.append(reply(subject="First").as_bytes())
    from bot.channels import imap as imap_channel

    real_move = imap_channel.Mailbox.move_done

    def crash(self: object, uids: list[int]) -> None:
        raise Crash

    monkeypatch.setattr(imap_channel.Mailbox, "move_done", crash)
    with pytest.raises(Crash):
        _fetch(engine, imap)
    monkeypatch.setattr(imap_channel.Mailbox, "move_done", real_move)
    report = _fetch(engine, imap, NOW + inbox.MOVE_LEASE + timedelta(seconds=1))
    assert report.handled == [] and report.already_handled == 1
    (row,) = _rows(engine)
    assert row.moved and imap.uids("INBOX") == []


def test_fetch_mail_once_from_the_command_line(
    tmp_path: Path, imap: ImapServer, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    from bot.entry.cli import main

    database = tmp_path / "cli.sqlite"
    for name, value in {
        "DATABASE_URL": f"sqlite:///{database}",
        "IMAP_HOST": imap.host,
        "IMAP_PORT": str(imap.port),
        "IMAP_SECURITY": "none",
        "IMAP_USER": imap.user,
        "IMAP_PASSWORD": imap.password,
        "SLACK_BOT_TOKEN": "",
    }.items():
        monkeypatch.setenv(name, value)
    imap.append(reply(sender="stranger@nowhere.example").as_bytes())
    assert main(["fetch-mail"]) == 0
    assert "1 handled, 0 handled before, 0 failed" in capsys.readouterr().out
    assert imap.uids("INBOX") == []


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_imaps_and_starttls_with_the_certificate_checked(
    engine: Engine, imap: ImapServer, ledger: dict[str, int], security: str
) -> None:
    imap.append(reply(sender="Compta <compta@brasserie.example>").as_bytes())
    settings = replace(
        _settings(imap),
        imap_security=security,
        imap_port=imap.imaps_port if security == "ssl" else imap.port,
        imap_ca_file=imap.ca_file,
    )
    with connect(settings) as mailbox:
        (handled,) = inbox.fetch_mail(engine, mailbox, NOW, listening()).handled
    assert handled.customer_id == ledger["B"]
    unknown = replace(settings, imap_ca_file=None)
    with pytest.raises(ssl.SSLCertVerificationError), connect(unknown):  # refused
        pass


# --- what strangers can forge (issue 25, findings 2 and 3) ---------------------------------


def _state(engine: Engine, customer_id: int) -> tuple[bool, date | None, str]:
    customer = _customer(engine, customer_id)
    return customer.paused, customer.paused_until, customer.email_problem


def _pauses(engine: Engine) -> int:
    with read_only(engine) as session:
        return len(session.exec(select(AuditEvent).where(AuditEvent.kind == "pause")).all())


def _altered(token_id: str) -> str:
    """The reminder's Message-ID with one character of its MAC changed."""
    local, _, domain = token_id.partition("@")
    return f"{local[:-1]}{'a' if local[-1] != 'a' else 'b'}@{domain}"


@pytest.fixture
def paused_b(engine: Engine, ledger: dict[str, int]) -> date:
    """Brasserie is on a dated pause: a stranger's message must not make it indefinite."""
    until = date(2026, 12, 1)
    with unit_of_work(engine) as session:
        customer = session.get(Customer, ledger["B"])
        customer.paused, customer.paused_until = True, until
    return until


def test_forged_thread_subject_sender_and_domain_change_nothing(
    engine: Engine, imap: ImapServer, ledger: dict[str, int], paused_b: date
) -> None:
    sent = message_id(ledger["reminder"], _settings(imap))
    guessed = f"<relance-reminder-{ledger['reminder']}@relance.example>"  # today's format
    forged = [
        reply(sender="mallory@evil.example", in_reply_to=guessed).as_bytes(),
        reply(sender="mallory@evil.example", in_reply_to=_altered(sent)).as_bytes(),
        reply(sender="mallory@evil.example", subject="About invoice BR-77").as_bytes(),
        reply(sender="Compta <compta@brasserie.example>").as_bytes(),  # spoofed sender
        reply(sender="boss@brasserie.example").as_bytes(),  # spoofed domain
        signed(reply(sender="jean@atelier.example"), "evil.example"),  # signed, not theirs
        reply(sender="jean@atelier.example", in_reply_to=sent).as_bytes(),  # real token, unsigned
    ]
    for raw in forged:
        imap.append(raw)
    handled = _fetch(engine, imap).handled
    assert [(h.customer_id, h.matched_by) for h in handled] == [
        (None, ""),  # a guessed id matches nothing
        (None, ""),  # nor an altered token
        (ledger["B"], "subject"),
        (ledger["B"], "sender"),
        (ledger["B"], "domain"),
        (ledger["A"], "sender"),
        (ledger["A"], "thread"),
    ]
    assert _state(engine, ledger["A"]) == (False, None, "")
    assert _state(engine, ledger["B"]) == (True, paused_b, "")  # still dated
    assert _pauses(engine) == 0
    rows = _rows(engine)
    assert [r.awaiting_confirmation for r in rows] == [False, False] + [True] * 5
    assert all(
        Phrase.read(json.loads(r.summary)["consequence"]) == inbox.UNCONFIRMED for r in rows[2:]
    )
    assert not any(r.authenticated for r in rows)


def test_forged_bounce_and_out_of_office_change_nothing(
    engine: Engine, imap: ImapServer, ledger: dict[str, int]
) -> None:
    sent = message_id(ledger["reminder"], _settings(imap))
    guessed = f"<relance-reminder-{ledger['reminder']}@relance.example>"
    imap.append(hard_bounce("jean@atelier.example", guessed))
    imap.append(hard_bounce("jean@atelier.example", _altered(sent)))
    imap.append(
        reply(
            subject="Automatic reply",
            text="I am out of the office until 15 October 2027.",
            headers={"Auto-Submitted": "auto-replied"},
        ).as_bytes()
    )
    kinds = [(h.kind, h.customer_id) for h in _fetch(engine, imap).handled]
    assert kinds == [
        ("bounce", ledger["A"]),
        ("bounce", ledger["A"]),
        ("out_of_office", ledger["A"]),
    ]
    assert _state(engine, ledger["A"]) == (False, None, "")  # no failing address, no hold
    assert all(r.awaiting_confirmation for r in _rows(engine))


def test_an_authenticated_out_of_office_holds_at_most_the_policy_s_days(
    engine: Engine, imap: ImapServer, ledger: dict[str, int]
) -> None:
    imap.append(
        signed(
            reply(
                subject="Automatic reply",
                text="I am out of the office until 15 October 2027.",
                headers={"Auto-Submitted": "auto-replied"},
            )
        )
    )
    (handled,) = _fetch(engine, imap).handled
    assert handled.kind == "out_of_office"
    assert _state(engine, ledger["A"]) == (True, NOW.date() + timedelta(days=14), "")


def test_the_same_messages_authenticated_act_as_today(
    engine: Engine, imap: ImapServer, ledger: dict[str, int], paused_b: date
) -> None:
    """Signed by the customer's domain (DKIM, the suite's key), or vouched for by the trusted
    receiving server (RFC 8601 Authentication-Results), the messages above act by themselves."""
    settings = replace(_settings(imap), reply_plus_address=True)
    sent, to_token = (
        message_id(ledger["reminder"], settings),
        reply_address(ledger["reminder"], settings),
    )
    brasserie = "brasserie.example"
    imap.append(signed(reply(sender="boss@brasserie.example", subject="About BR-77"), brasserie))
    imap.append(signed(reply(sender="compta@brasserie.example", subject="Hello"), brasserie))
    imap.append(signed(reply(sender="it@brasserie.example", subject="Hi"), brasserie))
    imap.append(signed(reply(sender="jean@atelier.example", in_reply_to=sent)))
    imap.append(signed(reply(sender="jean@atelier.example", to=to_token, subject="Re")))
    handled = _fetch(engine, imap).handled
    assert [(h.customer_id, h.matched_by) for h in handled] == [
        (ledger["B"], "subject"),
        (ledger["B"], "sender"),
        (ledger["B"], "domain"),
        (ledger["A"], "thread"),
        (ledger["A"], "thread"),  # by the token in the address it was sent to
    ]
    assert _state(engine, ledger["A"]) == (True, None, "")
    assert _state(engine, ledger["B"]) == (True, None, "")  # held until someone acts
    assert [r.authenticated for r in _rows(engine)] == 3 * [
        "authenticated: brasserie.example"
    ] + 2 * ["authenticated: atelier.example"]
    assert not any(r.awaiting_confirmation for r in _rows(engine))


def test_authentication_results_count_only_from_the_trusted_server(
    engine: Engine, imap: ImapServer, ledger: dict[str, int]
) -> None:
    passing = "mx.relance.example; dkim=pass header.d=atelier.example; dmarc=pass"
    cases = [
        ["other.example; dkim=pass header.d=atelier.example"],  # anyone may write this
        # the server's own (topmost) verdict, then one the sender wrote with the server's id
        ["mx.relance.example; dkim=fail header.d=atelier.example", passing],
        [passing],
    ]
    for n, headers in enumerate(cases):
        message = reply(subject=f"Case {n}")
        for value in headers:
            message["Authentication-Results"] = value
        imap.append(message.as_bytes())
    trusting = replace(listening(), authserv_ids=("mx.relance.example",), dkim=None)
    with connect(_settings(imap)) as mailbox:
        inbox.fetch_mail(engine, mailbox, NOW, trusting)
    assert [r.awaiting_confirmation for r in _rows(engine)] == [True, True, False]
    assert _state(engine, ledger["A"]) == (True, None, "")


def test_a_person_confirms_a_stranger_s_claim_once(
    engine: Engine, imap: ImapServer, ledger: dict[str, int]
) -> None:
    imap.append(hard_bounce("jean@atelier.example", "<guessed@relance.example>"))
    _fetch(engine, imap)
    (row,) = _rows(engine)
    assert row.awaiting_confirmation and _state(engine, ledger["A"])[2] == ""
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def click(user: str) -> None:
        start.wait()
        try:
            outcomes.append(str(confirm(engine, id_of(row), user, NOW.date()).consequence))
        except Invalid as exc:
            outcomes.append(f"refused: {exc}")

    threads = [threading.Thread(target=click, args=(user,)) for user in ("U1", "U2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(o.startswith("refused") for o in outcomes) == [False, True]
    assert "jean@atelier.example" in _state(engine, ledger["A"])[2]  # the address is failing
    (row,) = _rows(engine)
    assert not row.awaiting_confirmation and row.confirmed_by in ("U1", "U2")
    with read_only(engine) as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.kind == "inbound_confirmed"))
        (event,) = events.all()
    assert event.actor == row.confirmed_by


def test_clear_text_imap_to_another_host_is_refused_before_connecting(
    imap: ImapServer,
) -> None:
    """The password never leaves: refused before any connection (192.0.2.1 is TEST-NET-1,
    which nothing answers: a connection attempt would time out, not be refused)."""
    elsewhere = replace(_settings(imap), imap_host="192.0.2.1")
    with pytest.raises(InsecureTransport, match="clear text"), connect(elsewhere):
        pass
    with connect(_settings(imap)) as mailbox:  # loopback: allowed
        assert mailbox.waiting().uids == ()
