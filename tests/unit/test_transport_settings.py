"""Clear text only to this machine, and no unknown `*_SECURITY` value (issue 25, finding 5):
refused at start-up (`relance run`, `relance check`) and by each channel before it connects."""

from __future__ import annotations

import pytest

from bot.channels.transport import InsecureTransport, is_loopback, require_secure
from bot.config import Settings
from bot.entry.cli import main
from bot.services.operations.settings_check import check_run

READY = {"slack_bot_token": "xoxb-1", "slack_app_token": "xapp-1"}


def _fatal(settings: Settings) -> dict[str, str]:
    return {f.setting: f.message for f in check_run(settings, http=False) if f.fatal}


def test_loopback_is_an_address_on_this_machine_never_a_name_to_resolve() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("127.5.0.1") and is_loopback("::1")
    assert is_loopback("localhost") and is_loopback("[::1]")
    assert not is_loopback("10.0.0.5") and not is_loopback("mail.example.com")
    assert not is_loopback("localhost.example.com")


def test_clear_text_to_another_host_and_unknown_values_stop_the_start() -> None:
    fatal = _fatal(
        Settings(
            **READY,
            smtp_host="smtp.example.com",
            smtp_security="none",
            imap_host="imap.example.com",
            imap_security="none",
        )
    )
    assert "clear text" in fatal["SMTP_SECURITY"] and "clear text" in fatal["IMAP_SECURITY"]
    fatal = _fatal(Settings(**READY, smtp_security="tls", imap_host="h", imap_security="SSL"))
    assert "'tls' is not one of none, starttls, ssl" in fatal["SMTP_SECURITY"]
    assert "'SSL' is not one of ssl, starttls, none" in fatal["IMAP_SECURITY"]
    fine = Settings(**READY, smtp_host="127.0.0.1", imap_host="::1", imap_security="none")
    assert "SMTP_SECURITY" not in _fatal(fine) and "IMAP_SECURITY" not in _fatal(fine)
    assert "SMTP_SECURITY" not in _fatal(
        Settings(**READY, smtp_host="smtp.example.com", smtp_security="starttls")
    )


def test_relance_check_refuses_them_too(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("IMAP_HOST", "imap.example.com")
    monkeypatch.setenv("IMAP_SECURITY", "none")
    assert main(["check"]) == 1
    assert "IMAP_SECURITY is none (clear text)" in capsys.readouterr().err


def test_the_channel_refuses_before_it_connects() -> None:
    with pytest.raises(InsecureTransport, match="clear text"):
        require_secure("IMAP_SECURITY", "none", "192.0.2.1")
    require_secure("IMAP_SECURITY", "none", "127.0.0.1")


def test_reading_replies_without_a_token_secret_is_warned_of() -> None:
    reading = Settings(**READY, imap_host="127.0.0.1", imap_security="none")
    warned = {f.setting for f in check_run(reading, http=False) if not f.fatal}
    assert "RELANCE_MAIL_SECRET" in warned
    keyed = Settings(**READY, imap_host="127.0.0.1", imap_security="none", mail_token_secret="s")
    assert "RELANCE_MAIL_SECRET" not in {f.setting for f in check_run(keyed, http=False)}
