"""A stage and a language are data: adding Italian and a "second firm reminder" takes a policy
file and template files, no code. The start-up check names what is missing; once the files are
there, the suggestion uses them and the card shows the stage as the policy describes it."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.config import PROJECT_ROOT, Settings
from bot.db import unit_of_work
from bot.entry.composition import build_runtime
from bot.importing.mapping import load_mapping
from bot.models import Contact, Customer
from bot.services.ledger.importing import import_invoices
from bot.services.overview.reminder_view import load_view
from bot.services.reminders.suggestions import suggest
from bot.slack.blocks.card import reminder_card
from tests.support.csvfiles import line, write_csv
from tests.support.drafts import written

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # a Wednesday, 10:00 in Rome
SECOND_FIRM = """
[[stages]]
name = "firm_second"
label = "Second firm reminder"
icon = "🔁"
template = "firm_second"
opens_at_days = 22
channel = "email"
min_business_days_since_contact = 5

"""
ITALIAN = {  # the English folder, translated where this test looks
    "Dear": "Gentile",
    "Hello": "Buongiorno",
    "Kind regards,": "Cordiali saluti,",
    "Invoice": "Fattura",
}


def _configuration(tmp_path: Path, languages_with_new_stage: list[str]) -> Settings:
    templates = tmp_path / "templates"
    shutil.copytree(PROJECT_ROOT / "templates", templates)
    italian = templates / "email" / "it"
    shutil.copytree(templates / "email" / "en", italian)
    for path in italian.iterdir():
        text = path.read_text(encoding="utf-8")
        for english, translated in ITALIAN.items():
            text = text.replace(english, translated)
        path.write_text(text, encoding="utf-8")
    for lang in languages_with_new_stage:
        folder = templates / "email" / lang
        for part in ("subject", "txt", "html"):
            source = (folder / f"firm.{part}.j2").read_text(encoding="utf-8")
            (folder / f"firm_second.{part}.j2").write_text(
                source.replace("{{ parts.invoice", "[2] {{ parts.invoice"), encoding="utf-8"
            )
    policy = (PROJECT_ROOT / "bot" / "policy.toml").read_text(encoding="utf-8")
    policy = policy.replace('[[stages]]\nname = "call"', SECOND_FIRM + '[[stages]]\nname = "call"')
    (tmp_path / "policy.toml").write_text(policy, encoding="utf-8")
    return Settings(templates_dir=templates, policy_file=tmp_path / "policy.toml")  # type: ignore[arg-type]


def test_a_stage_without_its_templates_is_refused_at_start_up_naming_the_files(
    engine: Engine, tmp_path: Path
) -> None:
    from bot.rendering.check import TemplateCheckFailed

    settings = _configuration(tmp_path, ["en", "fr", "it"])
    with pytest.raises(TemplateCheckFailed) as refused:
        build_runtime(settings, engine, clock=lambda: NOW)
    missing = sorted(p for p in refused.value.problems if "firm_second" in p)
    assert missing == sorted(
        f"stage 'firm_second': email/{lang}/firm_second.{part}.j2 is missing"
        for lang in ("de", "es")
        for part in ("subject", "txt", "html")
    )


def test_italian_and_a_second_firm_reminder_are_data_and_templates_only(
    engine: Engine, tmp_path: Path
) -> None:
    settings = _configuration(tmp_path, ["en", "fr", "de", "es", "it"])
    runtime = build_runtime(settings, engine, clock=lambda: NOW)
    rows = [
        line(
            customer_id="IT1",
            customer_name="Rossi Forniture S.r.l.",
            contact_name="Giulia Rossi",
            language="it",
            country="IT",
            timezone="Europe/Rome",
            invoice_number="R-1",
            due_date=(NOW.date() - timedelta(days=25)).isoformat(),
        )
    ]
    import_invoices(engine, write_csv(tmp_path / "l.csv", rows), load_mapping())
    with unit_of_work(engine) as session:
        customer = session.exec(select(Customer)).one()
        for stage, days_ago in (("friendly", 20), ("firm", 10)):
            session.add(
                Contact(
                    customer_id=customer.id,
                    channel="email",
                    stage=stage,
                    occurred_at=NOW - timedelta(days=days_ago),
                )
            )

    run = suggest(engine, runtime.policy, runtime.composer, NOW, date(2026, 11, 25))
    [reminder] = written(runtime, run.created)
    assert (reminder.stage, reminder.language, reminder.wording) == (
        "firm_second",
        "it",
        "it/firm_second",
    )
    assert reminder.body_text.startswith("Gentile Giulia Rossi,\n")  # its own parts, not English
    assert "[2]   - Fattura R-1" in reminder.body_text and "Cordiali saluti," in reminder.body_text
    card = str(
        reminder_card(
            load_view(runtime.drafter(), reminder.id),
            NOW.date(),
            runtime.policy.find_stage(reminder.stage),
        )
    )
    assert "🔁 *Rossi Forniture S.r.l.*" in card and "*Second firm reminder*" in card


def test_relance_check_runs_the_same_check_with_the_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.entry.cli import main

    settings = _configuration(tmp_path, ["en", "fr", "de", "it"])
    policy = Path(str(settings.policy_file))
    policy.write_text(
        policy.read_text(encoding="utf-8").replace(
            'name = "handoff"', 'name = "handoff_to_the_collection_agency"'
        ),
        encoding="utf-8",
    )
    monkeypatch.setenv("RELANCE_TEMPLATES_DIR", str(settings.templates_dir))
    monkeypatch.setenv("RELANCE_POLICY_FILE", str(policy))
    assert main(["check"]) == 1
    errors = capsys.readouterr().err
    assert "stage 'firm_second': email/es/firm_second.html.j2 is missing" in errors
    assert "'handoff_to_the_collection_agency': the name has 32 characters" in errors

    monkeypatch.setenv("RELANCE_POLICY_FILE", str(PROJECT_ROOT / "bot" / "policy.toml"))
    assert main(["check"]) == 0
    assert capsys.readouterr().out.startswith("ok: 6 stages")


def test_every_channel_and_language_folder_is_checked(tmp_path: Path) -> None:
    from dataclasses import replace

    from bot.config import load_policy
    from bot.rendering.check import template_problems

    templates = tmp_path / "templates"
    shutil.copytree(PROJECT_ROOT / "templates", templates)
    (templates / "email" / "de" / "_parts.j2").unlink()  # a folder that would borrow English
    (templates / "note" / "es" / "handoff.subject.j2").unlink()
    policy = load_policy()
    call = replace(policy.stage("call"), template="call_script")
    policy = replace(policy, stages=tuple(call if s.name == "call" else s for s in policy.stages))
    problems = template_problems(policy, templates)
    assert "email/de/_parts.j2 is missing" in problems
    assert "stage 'handoff': note/es/handoff.subject.j2 is missing" in problems
    assert [p for p in problems if "call_script" in p] == [
        f"stage 'call': call/{lang}/call_script.txt.j2 is missing"
        for lang in ("de", "en", "es", "fr")
    ]
