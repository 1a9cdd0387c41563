"""The demo's reply mailbox: a reply, a bounce and an out-of-office answer, as bundled .eml
files filled in with the demo's own customers and reminders (the files are ours, not customer
text: plain replacement of %NAME% markers)."""

from __future__ import annotations

from datetime import date
from email.header import Header
from pathlib import Path

MAILBOX = Path(__file__).resolve().parent / "mailbox"
DEMO_MX = "mx.relance-demo.example"  # the authserv-id of the demo's receiving server


def sample_message(
    name: str,
    *,
    contact: str,
    email: str,
    subject: str,
    message_id: str,
    back_on: date | None = None,
) -> bytes:
    """One bundled message (`reply`, `bounce`, `out_of_office`) as a mail server hands it over
    (the reply and the out-of-office answer stamped by the demo's receiving server, `DEMO_MX`,
    as DKIM-signed by the customer's domain)."""
    text = (MAILBOX / f"{name}.eml").read_text(encoding="utf-8")
    for marker, value in {
        "%CONTACT%": contact.replace('"', "'"),
        "%EMAIL%": email,
        "%DOMAIN%": email.rpartition("@")[2],
        "%SUBJECT%": Header(subject, "utf-8").encode(),
        "%MESSAGE_ID%": message_id,
        "%RETURN%": back_on.strftime("%d %B %Y") if back_on else "",
    }.items():
        text = text.replace(marker, value)
    return text.replace("\n", "\r\n").encode("utf-8")
