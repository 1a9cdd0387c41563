from bot.domain import invoice_list


def test_numbers_keep_their_order_both_ways() -> None:
    stored = invoice_list.joined(["F-2", "F-1", "F-10"])
    assert invoice_list.numbers(stored) == ("F-2", "F-1", "F-10")
    assert invoice_list.numbers("") == ()
