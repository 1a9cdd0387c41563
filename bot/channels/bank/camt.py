"""ISO 20022 camt.053 (end-of-day statement) and camt.054 (debit/credit notification), read
with lxml and validated against the published XSD of the file's own version before any value
is taken from it.

The schemas in `schemas/` are ISO 20022's message definitions (camt.053.001.02 and .08,
camt.054.001.02 and .08) as published in the ISO 20022 message catalogue; the copies here were
taken from the genkgo/camt repository (MIT), `assets/`, which ships them unchanged."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from lxml import etree

from bot.channels.bank.common import BankFileError, Lines
from bot.domain.bank_statement import Statement
from bot.domain.msgid import phrase
from bot.importing.source import LineError

SCHEMAS = Path(__file__).resolve().parent / "schemas"
_PREFIX = "urn:iso:std:iso:20022:tech:xsd:"
#: the versions whose XSD is shipped: a file of another version is refused, never half-read
VERSIONS = tuple(sorted(p.stem for p in SCHEMAS.glob("camt.*.xsd")))


def _parser() -> etree.XMLParser:
    """No entities resolved, no network, no huge trees: the file is evidence, not a program."""
    return etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True
    )


@cache
def schema(version: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / f"{version}.xsd"), _parser()))


def version_of(data: bytes) -> str | None:
    """The camt message version a document declares, if it declares one."""
    head = data[:4096].decode("ascii", errors="replace")
    start = head.find(_PREFIX + "camt.")
    if start < 0:
        return None
    return head[start + len(_PREFIX) :].split('"', 1)[0].split("'", 1)[0]


def _validated(data: bytes) -> tuple[str, etree._Element]:
    """The camt version and its document, parsed without a DOCTYPE and valid against the
    version's XSD; else every problem, with its line."""
    version = version_of(data)
    if version not in VERSIONS:
        raise BankFileError(
            [
                LineError(
                    1,
                    "",
                    phrase(
                        "{version}: Relance reads {versions}",
                        version=version or "no camt namespace",
                        versions=", ".join(VERSIONS),
                    ),
                )
            ]
        )
    try:
        document = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        message = phrase("not well-formed XML: {error}", error=exc.msg)
        raise BankFileError([LineError(exc.lineno or 1, "", message)]) from None
    if document.getroottree().docinfo.internalDTD is not None:
        raise BankFileError(
            [LineError(1, "", phrase("declares a DOCTYPE: a camt message has none"))]
        )
    rules = schema(version)
    if not rules.validate(document):
        raise BankFileError(
            [
                LineError(
                    e.line,
                    "",
                    phrase(
                        "does not follow the {version} schema: {error}",
                        version=version,
                        error=e.message,
                    ),
                )
                for e in list(rules.error_log)[:200]
            ]
        )
    return version, document


def read_camt(data: bytes) -> Statement:
    version, document = _validated(data)
    ns = {"c": _PREFIX + version}
    kind = "camt.053" if version.startswith("camt.053") else "camt.054"
    reports = document.xpath("/c:Document/*/c:Stmt | /c:Document/*/c:Ntfctn", namespaces=ns)
    accounts = {
        _text(r, "c:Acct/c:Id/c:IBAN", ns) or _text(r, "c:Acct/c:Id/c:Othr/c:Id", ns)
        for r in reports
    }
    if len(accounts) > 1:
        raise BankFileError(
            [
                LineError(
                    1,
                    "",
                    phrase(
                        "covers several accounts ({accounts})", accounts=", ".join(sorted(accounts))
                    ),
                )
            ]
        )
    found = Lines(account=accounts.pop() if accounts else "")
    for report in reports:
        for entry in report.xpath("c:Ntry", namespaces=ns):
            _entry(found, entry, ns)
    return Statement(kind, found.account, tuple(found.done()))


def _text(node: etree._Element, path: str, ns: dict[str, str]) -> str:
    hit = node.xpath(path, namespaces=ns)
    return str(hit[0].text or "").strip() if hit else ""


def _texts(node: etree._Element, path: str, ns: dict[str, str]) -> list[str]:
    return [str(n.text or "").strip() for n in node.xpath(path, namespaces=ns) if n.text]


def _date(node: etree._Element, ns: dict[str, str]) -> date | None:
    for path in ("c:BookgDt/c:Dt", "c:BookgDt/c:DtTm", "c:ValDt/c:Dt", "c:ValDt/c:DtTm"):
        text = _text(node, path, ns)
        if text:
            return datetime.fromisoformat(text).date() if "T" in text else date.fromisoformat(text)
    return None


def _entry(found: Lines, entry: etree._Element, ns: dict[str, str]) -> None:
    """One `Ntry`: a single line, or one line per transaction of a batch that gives each its
    amount. Entries not booked (pending, information) move no money yet: left out."""
    status = _text(entry, "c:Sts", ns) or _text(entry, "c:Sts/c:Cd", ns)
    if status and status != "BOOK":
        return
    position = entry.sourceline or 1
    reference = _text(entry, "c:AcctSvcrRef", ns)
    credit = _text(entry, "c:CdtDbtInd", ns) == "CRDT"
    reversal = _text(entry, "c:RvslInd", ns) == "true"
    booked = _date(entry, ns)
    details = entry.xpath("c:NtryDtls/c:TxDtls", namespaces=ns)
    batch = len(details) > 1 and all(_amount_node(d, ns) is not None for d in details)
    parts = details if batch else [details[0] if details else None]
    for n, detail in enumerate(parts, start=1):
        amount_node = _amount_node(detail, ns) if batch and detail is not None else None
        amount_node = amount_node if amount_node is not None else entry.find("c:Amt", ns)
        try:
            amount = Decimal(str(amount_node.text)) if amount_node is not None else None
        except InvalidOperation:
            amount = None
        own = _text(detail, "c:Refs/c:AcctSvcrRef", ns) if detail is not None else ""
        found.add(
            detail.sourceline if batch and detail is not None else position,
            reference=(f"{reference}/{n}" if batch and reference else reference) or own,
            booked=booked,
            amount=amount,
            currency=amount_node.get("Ccy", "") if amount_node is not None else "",
            credit=credit,
            reversal=reversal,
            **(_party(detail, ns) if detail is not None else {}),
        )


def _amount_node(detail: etree._Element, ns: dict[str, str]) -> etree._Element | None:
    hit = detail.xpath("c:AmtDtls/c:TxAmt/c:Amt | c:Amt", namespaces=ns)
    return hit[0] if hit else None


def _party(detail: etree._Element, ns: dict[str, str]) -> dict[str, str]:
    """Who paid and what they wrote: the debtor (its name directly under `Dbtr` in .02, under
    `Dbtr/Pty` from .08), its IBAN, the unstructured lines and structured references."""
    name = _text(detail, "c:RltdPties/c:Dbtr/c:Nm", ns) or _text(
        detail, "c:RltdPties/c:Dbtr/c:Pty/c:Nm", ns
    )
    said = _texts(detail, "c:RmtInf/c:Ustrd", ns)
    said += _texts(detail, "c:RmtInf/c:Strd/c:CdtrRefInf/c:Ref", ns)
    said += _texts(detail, "c:RmtInf/c:Strd/c:RfrdDocInf/c:Nb", ns)
    said += _texts(detail, "c:AddtlTxInf", ns)
    return {
        "payer_name": name,
        "payer_iban": _text(detail, "c:RltdPties/c:DbtrAcct/c:Id/c:IBAN", ns),
        "remittance": "\n".join(said),
        "end_to_end": _text(detail, "c:Refs/c:EndToEndId", ns),
    }
