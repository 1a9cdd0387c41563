"""A fault campaign you can rerun: the HTTP app (gunicorn) on SQLite, then PostgreSQL, with
concurrent *Approve* clicks and senders, while workers and senders are killed, the app's
database connections terminated, and the SMTP server refuses logins, hangs and drops the line.
Then the faults stop, the outbox drains, and the invariants are checked and printed.

Everything stays on loopback (fake Slack, aiosmtpd, the app) and within `--seconds` of faults
per database plus a bounded drain. Usage: python -m bench.chaos [--seconds 60] [--only sqlite]
Exit status 1 when an invariant does not hold.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa
from sqlmodel import col

from bench.clicks_bench import SECRET
from bench.databases import POSTGRES_URL, fresh
from bot.channels.email import message_id
from bot.config import Settings
from bot.db import make_engine, read_only
from bot.models import AuditEvent, Outbox, Reminder, SlackRequest
from bot.services import audit
from tests.support.app_process import children, free_port, wait_healthy
from tests.support.seeding import seed_cards
from tests.support.slack_http import SignedSlack
from tests.support.smtp_server import SmtpServer

APPROVERS = ("UCHAOS1", "UCHAOS2", "UCHAOS3")
REMINDERS = 120
FAULTS = ("worker", "sender", "database", "smtp")  # database: PostgreSQL only
APP_NAME = f"relance_chaos_{os.getpid()}"  # only these connections are ever terminated
# The sender and the reply tokens' secret: a sent Message-ID is found by the reminder it names
MAIL_SETTINGS = Settings(mail_from="Relance <ar@chaos.example>", mail_token_secret="chaos-mail")
warnings.filterwarnings("ignore", message="Session.login_data")  # aiosmtpd's own notice


@dataclass
class Campaign:
    backend: str
    faults: Counter = field(default_factory=Counter)
    acknowledged: set[int] = field(default_factory=set)
    clicks: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def _start(command: list[str], env: dict, port: int, log: Path) -> subprocess.Popen:
    """The app, its log in `log` (where a failed invariant is explained)."""
    process = subprocess.Popen(command, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    wait_healthy(port, process, log)
    return process


def _click_all(
    campaign: Campaign,
    slack: SignedSlack,
    ids: list[int],
    stop: threading.Event,
    seconds: float,
    response_url: str,
) -> None:
    """Half the reminders clicked once (a lost decision shows), the others by each approver
    at once (racing clicks), in a shuffled order, 16 at a time, spread over the campaign."""
    half = len(ids) // 2
    jobs = [(i, APPROVERS[0]) for i in ids[:half]]
    jobs += [(i, user) for i in ids[half:] for user in APPROVERS]
    random.shuffle(jobs)
    pause = seconds * 16 / len(jobs)

    def click(job: tuple[int, str]) -> None:
        reminder_id, user = job
        if stop.is_set():
            return
        try:
            reply = slack.click(
                "reminder_approve",
                str(reminder_id),
                user=user,
                response_url=response_url,
            )
        except OSError:
            return  # the worker died before answering: not acknowledged
        with campaign.lock:
            campaign.clicks += 1
            if reply.status == 200:
                campaign.acknowledged.add(reminder_id)
        time.sleep(random.uniform(0, 2 * pause))

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(click, jobs))


def _senders(env: dict, stop: threading.Event, campaign: Campaign) -> Callable[[], None]:
    """`relance send` over and over, two at a time; some are killed mid-pass."""
    running: list[subprocess.Popen] = []

    def loop() -> None:
        while not stop.is_set():
            running[:] = [p for p in running if p.poll() is None]
            while len(running) < 2:
                running.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "bot.entry.cli", "send"],
                        env=env,
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    )
                )
            time.sleep(0.3)
        for process in running:
            process.wait(60)

    def kill_one() -> None:
        alive = [p for p in running if p.poll() is None]
        if alive:
            random.choice(alive).send_signal(signal.SIGKILL)
            campaign.faults["sender killed"] += 1

    threading.Thread(target=loop, daemon=True, name="senders").start()
    return kill_one


def _terminate_connections(campaign: Campaign) -> None:
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as conn:
        ended = conn.execute(
            sa.text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name = :name"
            ),
            {"name": APP_NAME},
        ).scalar_one()
    admin.dispose()
    campaign.faults["database connections terminated"] += ended


def _faults(
    campaign: Campaign,
    server: subprocess.Popen,
    smtp: SmtpServer,
    kill_sender: Callable[[], None],
    stop: threading.Event,
    allowed: set[str],
) -> None:
    kinds = [k for k in FAULTS if k in allowed and not k.startswith("smtp")]
    if "smtp" in allowed:
        kinds += ["smtp refuse", "smtp hang", "smtp drop"]
    if campaign.backend != "postgresql" and "database" in kinds:
        kinds.remove("database")
    while not stop.wait(random.uniform(0.5, 1.5)):
        kind = random.choice(kinds)
        if kind == "worker":
            workers = children(server.pid)
            if workers:
                os.kill(random.choice(workers), signal.SIGKILL)
                campaign.faults["app worker killed"] += 1
        elif kind == "sender":
            kill_sender()
        elif kind == "database":
            _terminate_connections(campaign)
        else:
            smtp.mode = {"smtp refuse": "refuse-login", "smtp drop": "drop"}.get(kind, "accept")
            smtp.delay = 3.0 if kind == "smtp hang" else 0.0
            campaign.faults[f"mail server: {kind.removeprefix('smtp ')}"] += 1
            time.sleep(random.uniform(0.5, 1.5))
            smtp.mode, smtp.delay = "accept", 0.0


def _drain(url: str, acknowledged: set[int], deadline: float) -> int:
    """Wait until every acknowledged click is decided and nothing approved has waited to be
    sent for 5 s running; returns how many still wait at the deadline."""
    engine = make_engine(url)
    quiet_since = time.monotonic()
    try:
        while True:
            with read_only(engine) as session:
                waiting = session.exec(
                    sa.select(sa.func.count()).select_from(Outbox).where(Outbox.state == "pending")
                ).one()[0]
                undecided = session.exec(
                    sa.select(sa.func.count())
                    .select_from(Reminder)
                    .where(col(Reminder.id).in_(acknowledged), Reminder.state == "suggested")
                ).one()[0]
            if waiting or undecided:
                quiet_since = time.monotonic()
            if time.monotonic() - quiet_since >= 5 or time.monotonic() > deadline:
                return waiting
            time.sleep(0.5)
    finally:
        engine.dispose()


def _invariants(campaign: Campaign, url: str, smtp: SmtpServer, waiting: int) -> dict[str, object]:
    engine = make_engine(url)
    with read_only(engine) as session:
        states = dict(
            session.exec(sa.select(Reminder.id, Reminder.state)).all()  # type: ignore[arg-type]
        )
        outbox = {o.reminder_id: o for o in session.exec(sa.select(Outbox)).scalars()}
        events = Counter(
            (kind, customer)
            for kind, customer in session.exec(
                sa.select(AuditEvent.kind, AuditEvent.customer_id)
            ).all()
        )
        customer_of = dict(session.exec(sa.select(Reminder.id, Reminder.customer_id)).all())
        journal = Counter(
            "failed" if error else ("handled" if handled else "unhandled")
            for handled, error in session.exec(
                sa.select(SlackRequest.handled_at, SlackRequest.error).where(
                    col(SlackRequest.body).is_not(None)
                )
            ).all()
        )
        recovered = session.exec(
            sa.select(sa.func.count())
            .select_from(SlackRequest)
            .where(col(SlackRequest.recoveries) > 0)
        ).one()[0]
        chain = audit.verify(session)
    engine.dispose()
    approved = {r for r, s in states.items() if s in ("approved", "sent")}
    lost = sorted(campaign.acknowledged - approved)
    by_message_id = Counter(m.message["Message-ID"] for m in smtp.received)
    never_received = sorted(
        r for r in approved if message_id(r, MAIL_SETTINGS) not in by_message_id
    )
    duplicates = {m: c for m, c in by_message_id.items() if c > 1}
    sent = {r for r, o in outbox.items() if o.state == "sent"}
    unsent = sorted(r for r in approved if r not in sent and outbox.get(r) is not None)
    approvals_off = [r for r in approved if events[("approved", customer_of[r])] != 1]
    sends_off = [r for r in sent if events[("sent", customer_of[r])] != 1]
    for r in never_received:
        o = outbox.get(r)
        if o is not None:
            print(
                f"  reminder {r} not received: {o.state}, {o.attempts} attempts, next "
                f"{o.next_attempt_at}, claimed by {o.claimed_by!r} until {o.claimed_until}, "
                f"last error {o.last_error!r}"
            )
    return {
        "clicks answered": campaign.clicks,
        "reminders acknowledged": len(campaign.acknowledged),
        "acknowledged decisions lost": len(lost),
        "journaled clicks handled / failed / left unhandled": f"{journal['handled']} / "
        f"{journal['failed']} / {journal['unhandled']}",
        "clicks dispatched again after their worker was killed": recovered,
        "approvals": len(approved),
        "approvals with no e-mail yet (outbox pending / failed)": f"{waiting} / "
        + str(sum(1 for r in unsent if outbox[r].state == "failed")),
        "e-mails received": len(smtp.received),
        "approvals never received by the mail server": f"{len(never_received)} "
        + (
            f"(outbox: {Counter(outbox[r].state for r in never_received if r in outbox)})"
            if never_received
            else ""
        ),
        "distinct Message-IDs": len(by_message_id),
        "duplicate deliveries (same Message-ID, accepted before the sender recorded it)": sum(
            c - 1 for c in duplicates.values()
        ),
        "approvals whose audit 'approved' event count is not 1": len(approvals_off),
        "sends whose audit 'sent' event count is not 1": len(sends_off),
        "audit verify": "intact" if chain.ok else f"BROKEN at #{chain.broken_seq}: {chain.reason}",
    }


def run(backend: str, seconds: float, allowed: set[str]) -> tuple[Campaign, dict[str, object]]:
    campaign = Campaign(backend)
    url = fresh(backend, "chaos")
    if backend == "postgresql":
        url += "&application_name=" + quote(APP_NAME)
    ids = seed_cards(url, REMINDERS, "X")
    fake = subprocess.Popen(
        [sys.executable, "-m", "tests.support.fake_slack"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    api_url = fake.stdout.readline().strip()  # type: ignore[union-attr]
    smtp = SmtpServer()
    smtp.start()
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_BOT_TOKEN": "xoxb-chaos",
        "SLACK_API_URL": api_url,
        "RELANCE_APPROVERS": ",".join(APPROVERS),
        "RELANCE_DIGEST_CHANNEL": "",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp.port),
        "SMTP_USER": "chaos",
        "SMTP_PASSWORD": "chaos",
        "MAIL_FROM": MAIL_SETTINGS.mail_from,
        "RELANCE_MAIL_SECRET": MAIL_SETTINGS.mail_token_secret,
        "RELANCE_SEND_BACKOFF_SECONDS": "1",
        "RELANCE_SEND_MAX_ATTEMPTS": "1000",
        "RELANCE_SEND_LEASE_SECONDS": "8",
        # A killed worker's acknowledged clicks are dispatched again within the drain.
        "RELANCE_RECOVERY_SECONDS": "10",
    }
    command = [sys.executable, "-m", "bot.entry.cli", "run", "--http", "--port", str(port)]
    log = Path(tempfile.mkdtemp(prefix="relance-chaos-")) / f"{backend}-app.log"
    server = _start([*command, "--workers", "2", "--threads", "8"], env, port, log)
    stop, stop_senders = threading.Event(), threading.Event()
    kill_sender = _senders(env, stop_senders, campaign)
    slack = SignedSlack(f"http://127.0.0.1:{port}/slack/events", SECRET)
    faults = threading.Thread(
        target=_faults, args=(campaign, server, smtp, kill_sender, stop, allowed), daemon=True
    )
    clicking = threading.Thread(
        target=_click_all,
        args=(campaign, slack, ids, stop, seconds, api_url.replace("/api/", "/response/chaos")),
        daemon=True,
    )
    started = time.monotonic()
    faults.start()
    clicking.start()
    clicking.join(seconds * 1.5)
    stop.set()
    faults.join()
    clicking.join()
    smtp.mode, smtp.delay = "accept", 0.0
    time.sleep(3)  # work acknowledged just before the end finishes; killed workers are replaced
    print(
        f"{backend}: faults stopped after {time.monotonic() - started:.0f} s; draining", flush=True
    )
    waiting = _drain(url, campaign.acknowledged, time.monotonic() + 60)
    stop_senders.set()
    server.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
    try:
        server.wait(15)
    except subprocess.TimeoutExpired:
        for pid in children(server.pid):
            os.kill(pid, signal.SIGKILL)
        server.kill()
        server.wait(10)
    fake.stdin.close()  # type: ignore[union-attr]
    # The fake prints what Slack would have refused and exits 1 (tests/support/fake_slack.py).
    slack_refused = fake.wait(10) != 0
    smtp.stop()
    results = _invariants(campaign, url, smtp, waiting)
    results["calls Slack would refuse"] = "some (see above)" if slack_refused else "none"
    results["duration"] = f"{time.monotonic() - started:.0f} s"
    results["app log"] = str(log)
    return campaign, results


def holds(results: dict[str, object]) -> bool:
    return (
        results["acknowledged decisions lost"] == 0
        and results["approvals whose audit 'approved' event count is not 1"] == 0
        and results["sends whose audit 'sent' event count is not 1"] == 0
        and results["audit verify"] == "intact"
        and str(results["approvals with no e-mail yet (outbox pending / failed)"]) == "0 / 0"
        and str(results["approvals never received by the mail server"]).strip() == "0"
        and results["calls Slack would refuse"] == "none"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60, help="faults per database")
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument(
        "--faults", default=",".join(FAULTS), help=f"which kinds, comma-separated ({FAULTS})"
    )
    args = parser.parse_args(argv)
    allowed = set(args.faults.split(","))
    ok = True
    for backend in [args.only] if args.only else ["sqlite", "postgresql"]:
        campaign, results = run(backend, args.seconds, allowed)
        print(f"\nChaos on {backend}")
        print(
            "  faults injected: "
            + (", ".join(f"{k} ×{v}" for k, v in campaign.faults.items()) or "none")
        )
        for name, value in results.items():
            print(f"  {name}: {value}")
        ok = ok and holds(results)
    print("\ninvariants " + ("hold" if ok else "DO NOT hold"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
