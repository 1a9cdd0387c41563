"""The company's logo inside the e-mails, on both databases and through a real SMTP server
(aiosmtpd): an inline image the HTML names by Content-ID, sent beside it; no logo configured,
a missing file, one too large or not a PNG/JPEG give no image and no reference to one."""

from __future__ import annotations

import io
from datetime import date, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy.engine import Engine

from bot.channels.logo import MAX_LOGO_BYTES
from bot.config import Settings
from bot.entry.composition import build_runtime, next_business_morning
from bot.services.delivery.outbox import deliver_due
from bot.services.reminders import decisions
from bot.services.reminders.suggestions import suggest
from tests.support.slack_fixtures import sample_ledger
from tests.support.smtp_server import SmtpServer


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 40), (20, 60, 140)).save(out, format="PNG")
    return out.getvalue()


def received(engine: Engine, tmp_path: Path, smtp: SmtpServer, logo: Path | None) -> EmailMessage:
    """The sample ledger's reminders approved and sent; the first message the server kept."""
    settings = Settings(
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        mail_from="Relance Demo <ar@relance-demo.example>",
        mail_token_secret="test-mail-secret",
        company_logo=logo,
    )
    now = next_business_morning(date(2026, 11, 25), settings)
    runtime = build_runtime(settings, engine, clock=lambda: now)
    sample_ledger(engine, tmp_path, now.date())
    run = suggest(engine, runtime.policy, runtime.composer, now, now.date())
    for reminder in run.created:
        assert decisions.approve(runtime.drafter(), reminder.id, "UAPPROVE1", now=now).won
    assert deliver_due(engine, settings, "w", now=now + timedelta(hours=1)).sent
    return smtp.received[0].message


def test_the_logo_travels_inline_and_the_html_names_it(
    engine: Engine, tmp_path: Path, smtp: SmtpServer
) -> None:
    logo = tmp_path / "logo.png"
    logo.write_bytes(png())
    message = received(engine, tmp_path, smtp, logo)
    html_part = message.get_body(("html",))
    related = next(p for p in message.walk() if p.get_content_type() == "multipart/related")
    image = next(p for p in related.iter_parts() if p.get_content_maintype() == "image")
    assert image.get_content_type() == "image/png" and image.get_content() == logo.read_bytes()
    assert image.get_content_disposition() == "inline"
    cid = image["Content-ID"].strip("<>")
    assert cid.endswith("@relance-demo.example")
    html = html_part.get_content()
    assert f'<img src="cid:{cid}" alt="Relance Demo SAS"' in html
    assert html.count("<img") == 1 and "http" not in html.split("<img")[1].split(">")[0]
    # the text part is untouched, and no other attachment appeared
    assert "cid:" not in message.get_body(("plain",)).get_content()
    assert [p.get_filename() for p in message.iter_attachments()] == []


@pytest.mark.parametrize(
    "logo",
    [
        None,  # none configured
        "missing.png",  # configured, gone
        "logo.gif",  # a GIF: not a type we send
        "big.png",  # a PNG past the bound
        "fake.png",  # a page named .png
    ],
)
def test_no_usable_logo_gives_no_image_and_no_reference(
    engine: Engine, tmp_path: Path, smtp: SmtpServer, logo: str | None
) -> None:
    files = {
        "logo.gif": b"GIF89a" + bytes(100),
        "big.png": png() + bytes(MAX_LOGO_BYTES),
        "fake.png": b"<html>not an image</html>",
    }
    path = tmp_path / logo if logo else None
    if logo in files:
        (tmp_path / logo).write_bytes(files[logo])
    message = received(engine, tmp_path, smtp, path)
    html = message.get_body(("html",)).get_content()
    assert "<img" not in html and "cid:" not in html
    assert all(p.get_content_maintype() != "image" for p in message.walk())
    assert not any(p.get_content_type() == "multipart/related" for p in message.walk())
