"""OFX bank statements (OFX 1.x SGML and 2.x XML), read with `ofxtools`.

Each STMTTRN is one entry: its FITID (unique per account, by the OFX specification) is its
reference, and stands for its end-to-end id too; a positive TRNAMT is money received. The payer
is NAME (or PAYEE's name), what they wrote is MEMO. A correction with CORRECTACTION DELETE
takes back the transaction its CORRECTFITID names: a reversal of it."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from ofxtools.Parser import OFXTree

from bot.channels.bank.common import BankFileError, Lines
from bot.domain.bank_statement import Statement
from bot.domain.msgid import phrase
from bot.importing.source import LineError


def looks_like_ofx(head: bytes) -> bool:
    start = head[:1024].upper()
    return b"OFXHEADER" in start or b"<OFX>" in start


def read_ofx(data: bytes) -> Statement:
    tree = OFXTree()
    try:
        tree.parse(BytesIO(data))
        ofx = tree.convert()
    except Exception as exc:  # ofxtools raises its own errors and ValueError/KeyError alike
        raise BankFileError(
            [LineError(1, "", phrase("not a readable OFX statement ({error})", error=str(exc)))]
        ) from exc
    statements = list(ofx.statements)
    accounts = {str(getattr(s.account, "acctid", "")) for s in statements}
    if len(accounts) > 1:
        raise BankFileError(
            [LineError(1, "", phrase("covers several accounts ({count})", count=len(accounts)))]
        )
    found = Lines(account=accounts.pop() if accounts else "")
    position = 0
    for statement in statements:
        for entry in statement.transactions:
            position += 1
            found.add(position, **_entry(entry, str(statement.curdef)))
    return Statement("ofx", found.account, tuple(found.done()))


def _entry(entry: Any, currency: str) -> dict[str, Any]:
    payee = getattr(entry, "payee", None)
    name = entry.name or (payee.name if payee is not None else "") or ""
    foreign = getattr(entry, "currency", None) or getattr(entry, "origcurrency", None)
    said = [str(entry.memo or ""), str(entry.refnum or "")]
    amount = entry.trnamt
    deleting = str(getattr(entry, "correctaction", "") or "") == "DELETE"
    money_in = amount is not None and amount > 0
    return {
        "reference": str(entry.fitid or ""),
        "booked": entry.dtposted.date() if entry.dtposted is not None else None,
        "amount": abs(amount) if amount is not None else None,
        "currency": str(foreign.cursym) if foreign is not None else currency,
        "credit": money_in != deleting,  # deleting money received takes it out again
        "reversal": deleting,
        "payer_name": str(name),
        "remittance": "\n".join(s for s in said if s),
        "end_to_end": str((entry.correctfitid if deleting else entry.fitid) or ""),
    }
