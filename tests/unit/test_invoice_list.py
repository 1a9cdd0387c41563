from bot.domain import invoice_list


def test_numbers_keep_their_order() -> None:
    assert invoice_list.joined(["F-2", "F-1", "F-10"]) == "F-2,F-1,F-10"
    assert invoice_list.joined([]) == ""
