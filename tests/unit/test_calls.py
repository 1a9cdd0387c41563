from bot.domain.calls import OUTCOMES, outcome_key


def test_an_outcome_typed_in_any_usual_way() -> None:
    assert outcome_key("no-answer") == "no_answer"
    assert outcome_key(" No answer ") == "no_answer"
    assert outcome_key("VOICEMAIL") == "voicemail"
    assert outcome_key("busy") is None
    assert set(OUTCOMES) == {"reached", "voicemail", "no_answer", "wrong_number"}
