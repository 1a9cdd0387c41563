"""The customer's page link: signed, expiring, revocable, and naming no customer."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.config import Settings
from bot.db import read_only
from bot.models import PageLink
from bot.services.audit import verify
from bot.services.common.errors import Invalid
from bot.services.page import page_links
from tests.support.page import page_customers

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
SETTINGS = Settings(page_secret="s3cret-for-tests", public_url="https://pay.example")


def _token(url: str) -> str:
    return url.rsplit("/", 1)[1]


def test_a_link_opens_its_customers_page_and_names_nobody(engine: Engine, tmp_path: Path) -> None:
    ids = page_customers(engine, tmp_path)
    url = page_links.page_url(engine, SETTINGS, ids["A"], NOW)
    assert url.startswith("https://pay.example/pay/")
    holder = page_links.resolve(engine, SETTINGS, _token(url), NOW + timedelta(days=59))
    assert holder.customer_id == ids["A"]
    # the same link every time, until it is renewed
    assert page_links.page_url(engine, SETTINGS, ids["A"], NOW) == url
    payload = base64.urlsafe_b64decode(_token(url).split(".")[0] + "==").decode()
    with read_only(engine) as session:
        link = session.exec(select(PageLink).where(PageLink.customer_id == ids["A"])).one()
    # the token carries only the link's random id (128 bits), nothing of the customer
    assert json.loads(payload) == link.public_id and len(link.public_id) == 22


def test_forged_expired_and_revoked_links_are_refused(engine: Engine, tmp_path: Path) -> None:
    ids = page_customers(engine, tmp_path)
    token = _token(page_links.page_url(engine, SETTINGS, ids["A"], NOW))
    other_key = Settings(page_secret="another-secret", public_url="https://pay.example")
    forged = _token(page_links.page_url(engine, other_key, ids["B"], NOW))
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for bad in (forged, tampered, "nonsense", ""):
        with pytest.raises(page_links.LinkRefused) as refused:
            page_links.resolve(engine, SETTINGS, bad, NOW)
        assert refused.value.reason == "forged"
    with pytest.raises(page_links.LinkRefused) as refused:
        page_links.resolve(engine, SETTINGS, token, NOW + timedelta(days=60, seconds=1))
    assert refused.value.reason == "expired"

    renewed = page_links.new_link(engine, SETTINGS, "A", "UAPPROVE1", NOW)
    assert renewed.generation == 2
    with pytest.raises(page_links.LinkRefused) as refused:
        page_links.resolve(engine, SETTINGS, token, NOW)
    assert refused.value.reason == "revoked"
    assert page_links.resolve(engine, SETTINGS, _token(renewed.url), NOW).customer_id == ids["A"]
    # B's link is untouched by A's renewal
    b_url = page_links.page_url(engine, SETTINGS, ids["B"], NOW)
    assert page_links.resolve(engine, SETTINGS, _token(b_url), NOW).customer_id == ids["B"]
    with read_only(engine) as session:
        assert verify(session).ok


def test_csrf_token_belongs_to_one_link(engine: Engine, tmp_path: Path) -> None:
    ids = page_customers(engine, tmp_path)
    a = page_links.resolve(
        engine, SETTINGS, _token(page_links.page_url(engine, SETTINGS, ids["A"], NOW)), NOW
    )
    b = page_links.resolve(
        engine, SETTINGS, _token(page_links.page_url(engine, SETTINGS, ids["B"], NOW)), NOW
    )
    assert page_links.csrf_ok(SETTINGS, a, page_links.csrf_token(SETTINGS, a))
    assert not page_links.csrf_ok(SETTINGS, b, page_links.csrf_token(SETTINGS, a))
    assert not page_links.csrf_ok(SETTINGS, a, "")


def test_no_page_without_its_settings(engine: Engine, tmp_path: Path) -> None:
    ids = page_customers(engine, tmp_path)
    assert page_links.page_url(engine, Settings(), ids["A"], NOW) == ""
    with pytest.raises(Invalid):
        page_links.new_link(engine, Settings(), "A", "UAPPROVE1", NOW)
