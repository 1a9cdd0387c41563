"""The bank cards and the summary are valid Block Kit within Slack's limits, and what a payer
wrote is shown as text, never as a mention or a link."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from bot.domain.states import BankLineState
from bot.services.cash import BankImport, Candidate, LineView
from bot.slack.blocks.cash import choose_modal, line_blocks, summary_blocks, summary_text
from tests.support.blockkit import check_message, check_modal

HOSTILE = "<!channel> <https://evil.example|click> & *bold*"


def _view(**changes: object) -> LineView:
    fields: dict[str, object] = {
        "id": 7,
        "booked": date(2026, 12, 1),
        "amount": Decimal("1234.56"),
        "currency": "EUR",
        "payer_name": HOSTILE,
        "payer_iban": "DE89370400440532013000",
        "remittance": HOSTILE * 40,
        "state": BankLineState.TO_DECIDE,
        "why": "unknown payer",
        "customer": "",
        "proposed": (),
        "candidates": tuple(
            Candidate(f"FA-{n:04d}", Decimal("10.00"), date(2026, 11, 1)) for n in range(150)
        ),
        "decided_by": "",
        "unapplied": Decimal(0),
        "slack_channel": "",
        "slack_ts": "",
    }
    fields.update(changes)
    return LineView(**fields)  # type: ignore[arg-type]


def test_a_card_to_decide_is_valid_and_escapes_the_payer() -> None:
    blocks = line_blocks(_view(), "en_GB")
    check_message(blocks)
    text = str(blocks)
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text
    ids = [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert ids == ["cash_choose", "cash_not_payment"]  # nothing proposed: no *Apply to …*


def test_a_proposal_offers_apply_and_a_decided_card_offers_nothing() -> None:
    proposed = _view(proposed=(("FA-0001", Decimal("1234.56")),))
    ids = [
        e["text"]["text"]
        for b in line_blocks(proposed, "en_GB")
        if b["type"] == "actions"
        for e in b["elements"]
    ]
    assert ids[0] == "Apply to FA-0001"
    done = line_blocks(_view(state=BankLineState.APPLIED, decided_by="U1"), "en_GB")
    check_message(done)
    assert not [b for b in done if b["type"] == "actions"]


def test_the_choose_modal_is_valid_with_many_candidates() -> None:
    check_modal(choose_modal(_view(), "en_GB"))


def test_the_summary_is_valid() -> None:
    report = BankImport(
        1,
        HOSTILE,
        "camt.053",
        "FR76",
        3,
        1,
        1,
        {"EUR": Decimal("10.00")},
        0,
        (2,),
        1,
        0,
        {"EUR": Decimal("5.00")},
    )
    check_message(summary_blocks(report, "en_GB"))
    assert "applied 1 for €10.00, 1 to decide" in summary_text(report, "en_GB")
    assert "<!channel>" not in summary_text(report, "en_GB")
