"""Reading an incoming e-mail: kinds, return dates, the new text of a reply."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.inbound import Kind, read_message
from bot.domain.reply_text import html_to_text, return_date, trim_quoted
from tests.support.mail_samples import hard_bounce, reply

TODAY = date(2026, 11, 26)


@pytest.mark.parametrize(
    ("text", "back"),
    [
        ("I am away until 7 December 2026.", date(2026, 12, 7)),
        ("Je suis absent jusqu'au 3 janvier.", date(2027, 1, 3)),
        ("Back on 2026-12-02, regards", date(2026, 12, 2)),
        ("Zurück am 14.12.2026", date(2026, 12, 14)),
        ("Away from December 1st to December 4th", date(2026, 12, 4)),
        ("Back on 05/06/2026", None),  # past either way
        ("Back on 03/04/2027", None),  # 3 April or 4 March: ambiguous, not guessed
        ("I am on leave.", None),
    ],
)
def test_return_dates(text: str, back: date | None) -> None:
    assert return_date(text, TODAY) == back


def test_quoted_history_is_trimmed() -> None:
    assert trim_quoted("Paid today.\n\nOn Mon, 23 Nov 2026, AR wrote:\n> Dear") == "Paid today."
    assert trim_quoted("Merci\n-----Original Message-----\nFrom: x") == "Merci"
    assert trim_quoted("Ok\n\nLe 23 nov. 2026 à 10:00, AR a écrit :\n> x") == "Ok"


def test_html_becomes_text_without_scripts() -> None:
    assert html_to_text("<style>p{}</style><p>A &amp; B</p><script>x()</script>") == "A & B"


def test_kinds_from_standard_headers() -> None:
    assert read_message(reply().as_bytes(), TODAY).kind is Kind.REPLY
    auto = reply(headers={"Auto-Submitted": "auto-replied"}, text="Ticket 42 opened.")
    assert read_message(auto.as_bytes(), TODAY).kind is Kind.AUTO_REPLY
    bulk = reply(headers={"Precedence": "auto_reply"}, text="Out of office until 2 Dec.")
    assert read_message(bulk.as_bytes(), TODAY).kind is Kind.OUT_OF_OFFICE
    bounce = read_message(hard_bounce("a@b.example", "<relance-reminder-9@x.example>"), TODAY)
    assert bounce.kind is Kind.BOUNCE and bounce.failed_addresses == ("a@b.example",)
    assert "<relance-reminder-9@x.example>" in bounce.references
    assert "5.1.1" in bounce.bounce_detail


def test_an_answer_from_slack_is_checked_before_it_goes() -> None:
    from bot.services.common.errors import Invalid
    from bot.services.inbox.replies import MAX_TEXT, check_text

    assert check_text("  Yes,\n\thalf by Friday.  ") == "Yes,\n\thalf by Friday."
    for text, words in [
        ("", "Write the answer"),
        ("ok\nbad \u202e line", "Line 2"),
        ("x" * (MAX_TEXT + 1), "at most"),
    ]:
        with pytest.raises(Invalid, match=words):
            check_text(text)
