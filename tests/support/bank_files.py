"""Bank statements built in each standard's own format, for tests: camt.053.001.02 (ISO 20022,
element order and content as its XSD requires — the tests validate every one they write),
SWIFT MT940 with German SEPA :86: subfields, and OFX 2 (the layout of ofxtools' samples)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape

ACCOUNT = "FR7630006000011234567890189"


@dataclass(frozen=True)
class Entry:
    amount: str
    ref: str = ""  # the bank's reference of the entry ("" : none given)
    credit: bool = True
    currency: str = "EUR"
    booked: date = date(2026, 12, 1)
    name: str = ""
    iban: str = ""
    text: str = ""  # unstructured remittance
    rf: str = ""  # a structured creditor reference (SCOR)
    reversal: bool = False
    e2e: str = ""


def camt053(entries: list[Entry], account: str = ACCOUNT, msg_id: str = "MSG1") -> bytes:
    """A camt.053.001.02 statement holding `entries`, one transaction each."""
    ntries = "".join(_ntry(e) for e in entries)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>{msg_id}</MsgId><CreDtTm>2026-12-01T18:00:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>STMT-{msg_id}</Id>
      <CreDtTm>2026-12-01T18:00:00</CreDtTm>
      <Acct><Id><IBAN>{account}</IBAN></Id><Ccy>EUR</Ccy></Acct>
      <Bal>
        <Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp>
        <Amt Ccy="EUR">1000.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-12-01</Dt></Dt>
      </Bal>{ntries}
    </Stmt>
  </BkToCstmrStmt>
</Document>
""".encode()


def _ntry(e: Entry) -> str:
    reversal = "<RvslInd>true</RvslInd>" if e.reversal else ""
    ref = f"<AcctSvcrRef>{escape(e.ref)}</AcctSvcrRef>" if e.ref else ""
    refs = f"<Refs><EndToEndId>{escape(e.e2e)}</EndToEndId></Refs>" if e.e2e else ""
    party = f"<Dbtr><Nm>{escape(e.name)}</Nm></Dbtr>" if e.name else ""
    party += f"<DbtrAcct><Id><IBAN>{e.iban}</IBAN></Id></DbtrAcct>" if e.iban else ""
    parties = f"<RltdPties>{party}</RltdPties>" if party else ""
    remittance = f"<Ustrd>{escape(e.text)}</Ustrd>" if e.text else ""
    if e.rf:
        remittance += (
            "<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>ISO</Issr></Tp>"
            f"<Ref>{e.rf}</Ref></CdtrRefInf></Strd>"
        )
    rmt = f"<RmtInf>{remittance}</RmtInf>" if remittance else ""
    return f"""
      <Ntry>
        <Amt Ccy="{e.currency}">{e.amount}</Amt>
        <CdtDbtInd>{"CRDT" if e.credit else "DBIT"}</CdtDbtInd>{reversal}
        <Sts>BOOK</Sts>
        <BookgDt><Dt>{e.booked.isoformat()}</Dt></BookgDt>
        <ValDt><Dt>{e.booked.isoformat()}</Dt></ValDt>{ref}
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls>{refs}{parties}{rmt}</TxDtls></NtryDtls>
      </Ntry>"""


def mt940(entries: list[Entry], account: str = "DE89370400440532013000") -> bytes:
    """An MT940 statement: each entry a :61: line (C, D, RC, RD) and its :86: details with
    the SEPA subfields ?20 EREF+, ?21 SVWZ+, ?31 IBAN and ?32 name."""
    rows = [":20:STARTUMS", f":25:{account}", ":28C:00001/001", ":60F:C261130EUR1000,00"]
    for e in entries:
        mark = ("R" if e.reversal else "") + ("C" if e.credit != e.reversal else "D")
        amount = e.amount.replace(".", ",")
        day = e.booked.strftime("%y%m%d")
        rows.append(f":61:{day}{e.booked:%m%d}{mark}{amount}NTRFNONREF//{e.ref}")
        details = "166?00GUTSCHRIFT"
        if e.e2e:
            details += f"?20EREF+{e.e2e}"
        if e.text or e.rf:
            details += f"?21SVWZ+{(e.text + ' ' + e.rf).strip()}"
        if e.iban:
            details += f"?31{e.iban}"
        if e.name:
            details += f"?32{e.name}"
        rows.append(f":86:{details}")
    rows += [":62F:C261201EUR1000,00", "-"]
    return ("\r\n".join(rows) + "\r\n").encode("latin-1")


def ofx(entries: list[Entry], account: str = "00012345678") -> bytes:
    """An OFX 2 bank statement; each entry's `ref` is its FITID, `text` its MEMO."""
    trns = "".join(
        f"""
          <STMTTRN>
            <TRNTYPE>{"CREDIT" if e.credit else "DEBIT"}</TRNTYPE>
            <DTPOSTED>{e.booked:%Y%m%d}</DTPOSTED>
            <TRNAMT>{"" if e.credit else "-"}{e.amount}</TRNAMT>
            <FITID>{escape(e.ref)}</FITID>
            <NAME>{escape(e.name)}</NAME>
            <MEMO>{escape((e.text + " " + e.rf).strip())}</MEMO>
          </STMTTRN>"""
        for e in entries
    )
    return f"""<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<?OFX OFXHEADER="200" VERSION="200" SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>
<OFX>
  <SIGNONMSGSRSV1><SONRS><STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS>
    <DTSERVER>20261201120000</DTSERVER><LANGUAGE>FRA</LANGUAGE></SONRS></SIGNONMSGSRSV1>
  <BANKMSGSRSV1><STMTTRNRS><TRNUID>1</TRNUID>
    <STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS>
    <STMTRS><CURDEF>EUR</CURDEF>
      <BANKACCTFROM><BANKID>30006</BANKID><ACCTID>{account}</ACCTID><ACCTTYPE>CHECKING</ACCTTYPE></BANKACCTFROM>
      <BANKTRANLIST><DTSTART>20261101</DTSTART><DTEND>20261201</DTEND>{trns}
      </BANKTRANLIST>
      <LEDGERBAL><BALAMT>1000.00</BALAMT><DTASOF>20261201</DTASOF></LEDGERBAL>
    </STMTRS></STMTTRNRS></BANKMSGSRSV1>
</OFX>
""".encode()
