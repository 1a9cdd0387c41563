"""`relance rates update` against the publishers' responses (tests/fixtures/rates, sources named in
SOURCES.md there) served over HTTP on 127.0.0.1, and what the other commands then charge."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bot.channels.rates import http
from bot.entry.cli import main
from bot.rate_files import load_reference_rates

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "rates"
PATHS = {  # what each publisher is asked for -> the recorded answer
    "/ecb/data/FM/D.U2.EUR.4F.KR.MRR_FR.LEV": "ecb_mro_daily.csv",
    "/boe/boeapps/database/_iadb-fromshowcolumns.asp": "boe_bank_rate.csv",
    "/bbk/data/BBIN1/M.DE.BBK.BBKBAS2.EUR.ME": "bundesbank_basiszinssatz.csv",
}


class Publishers:
    """The three publishers on one local server; `answers` overrides a path's reply."""

    def __init__(self) -> None:
        self.answers: dict[str, tuple[int, bytes]] = {}
        self.drip: set[str] = set()  # paths answered a byte at a time, 10 a second
        self.asked: list[str] = []
        publishers = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path, _, _query = self.path.partition("?")
                publishers.asked.append(self.path)
                status, body = publishers.answers.get(path) or (
                    (200, (FIXTURES / PATHS[path]).read_bytes()) if path in PATHS else (404, b"")
                )
                self.send_response(status)
                self.send_header("Content-Type", "text/csv")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if path not in publishers.drip:
                    self.wfile.write(body)
                    return
                for byte in body[:30]:  # bounded: three seconds at most
                    try:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                    except OSError:
                        return
                    time.sleep(0.1)

            def log_message(self, *_args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def publishers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Publishers]:
    served = Publishers()
    monkeypatch.setenv("RELANCE_RATES_ECB_URL", served.url + "/ecb")
    monkeypatch.setenv("RELANCE_RATES_BOE_URL", served.url + "/boe")
    monkeypatch.setenv("RELANCE_RATES_BUNDESBANK_URL", served.url + "/bbk")
    monkeypatch.setenv("RELANCE_FETCHED_RATES_FILE", str(tmp_path / "fetched-rates.toml"))
    yield served
    served.close()


UK = ["late-charges", "--law", "GB", "--currency", "GBP", "--amount", "5000"]
UK_DEBT = [*UK, "--due", "2026-01-15", "--on", "2026-02-14", "--json"]


def test_update_fetches_each_series_and_the_uk_charge_follows_the_december_cut(
    publishers: Publishers, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["rates", "update"]) == 0
    out = capsys.readouterr().out
    assert "BoE: 3.75 % since 2025-12-18, known to 2026-06-18" in out
    assert "ECB: 2.15 % since 2025-06-11, known to 2026-04-30" in out
    assert "DE-BASIS: 1.27 % since 2025-07-01, known to 2026-06-30" in out
    # the Austrian base rate follows the ECB rate by its statute: no 0.5-point move since June
    assert "AT-BASIS: 1.53 % since 2025-06-11, known to 2026-04-30" in out
    asked = " ".join(publishers.asked)
    assert "format=csvdata" in asked and "SeriesCodes=IUDBEDR" in asked
    assert "format=sdmx_csv" in asked

    # Bank Rate on 31 December 2025 (3.75 %) + 8 = 11.75 % for the whole debt:
    # 5 000 × 11.75 % × 30 / 365 = 48.29, with the table now known to that day
    assert main(UK_DEBT) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["interest"] == "48.29" and answer["compensation"] == "70"
    assert [p["rate"] for p in answer["periods"]] == ["11.75"]
    assert answer["rates_known_until"] is None

    written = load_reference_rates(fetched=tmp_path / "fetched-rates.toml")
    assert written["BoE"].on(date(2025, 12, 31)) == Decimal("3.75")
    assert written["BoE"].source.startswith("Bank of England Interactive Database, series IUDBEDR")


def test_a_publisher_down_leaves_its_table_and_says_so_on_one_line(
    publishers: Publishers, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    publishers.answers["/boe/boeapps/database/_iadb-fromshowcolumns.asp"] = (
        200,
        b"<html><body>Sorry, the database is unavailable</body></html>",
    )
    publishers.answers["/bbk/data/BBIN1/M.DE.BBK.BBKBAS2.EUR.ME"] = (503, b"")
    assert main(["rates", "update"]) == 0  # the ECB table was refreshed
    captured = capsys.readouterr()
    failures = [line for line in captured.err.splitlines() if line.startswith("warning:")]
    assert len(failures) == 2
    assert "BoE (Bank of England Interactive Database, IUDBEDR) not refreshed" in failures[0]
    assert "is not the header DATE,IUDBEDR" in failures[0]
    assert "DE-BASIS (Deutsche Bundesbank, BBIN1.M.DE.BBK.BBKBAS2.EUR.ME)" in failures[1]
    assert "HTTP 503" in failures[1]
    assert "ECB: 2.15 %" in captured.out

    # the bundled Bank Rate table stays in force; it reaches the 31 December 2025 fixing
    assert main(UK_DEBT) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["interest"] == "48.29" and answer["rates_known_until"] is None
    assert main(["rates", "show"]) == 0
    assert "source: Bank of England, 'Official Bank Rate history'" in capsys.readouterr().out
    written = (tmp_path / "fetched-rates.toml").read_text()
    assert '["ECB"]' in written and '["BoE"]' not in written and '["DE-BASIS"]' not in written


def test_an_answer_past_the_size_cap_is_refused_unread(
    publishers: Publishers, capsys: pytest.CaptureFixture[str]
) -> None:
    publishers.answers["/ecb/data/FM/D.U2.EUR.4F.KR.MRR_FR.LEV"] = (200, b"x" * 2_000_001)
    assert main(["rates", "update"]) == 0
    err = capsys.readouterr().err
    assert "ECB (ECB Data Portal, FM.D.U2.EUR.4F.KR.MRR_FR.LEV) not refreshed" in err
    assert "larger than 2000000 bytes" in err


def test_nothing_refreshed_exits_non_zero_and_writes_nothing(
    publishers: Publishers, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    publishers.close()  # every publisher unreachable
    assert main(["rates", "update"]) == 1
    err = capsys.readouterr().err
    assert err.count("warning:") == 4  # ECB, BoE, DE-BASIS, and AT-BASIS that follows the ECB
    assert "error: no rate table could be refreshed; the ones in force stay" in err
    assert not (tmp_path / "fetched-rates.toml").exists()


def test_show_prints_each_tables_last_known_date_and_source(
    publishers: Publishers, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["rates", "show"]) == 0
    before = capsys.readouterr().out
    assert "BoE: Bank of England Bank Rate, known to 2026-06-18" in before
    assert "source: Bank of England, 'Official Bank Rate history'" in before
    assert main(["rates", "update"]) == 0
    capsys.readouterr()
    assert main(["rates", "show"]) == 0
    after = capsys.readouterr().out
    assert "BoE: Bank of England Bank Rate, known to 2026-06-18, last rate 3.75 %" in after
    assert "source: Bank of England Interactive Database, series IUDBEDR, fetched on" in after


def test_an_answer_that_disagrees_with_the_table_in_force_is_not_used(
    publishers: Publishers, capsys: pytest.CaptureFixture[str]
) -> None:
    recorded = (FIXTURES / "ecb_mro_daily.csv").read_bytes()
    publishers.answers["/ecb/data/FM/D.U2.EUR.4F.KR.MRR_FR.LEV"] = (
        200,
        recorded.replace(b",2025-03-12,2.65", b",2025-03-12,2.75"),
    )
    assert main(["rates", "update"]) == 0  # Bank Rate and the Basiszinssatz still refreshed
    err = capsys.readouterr().err
    assert (
        "ECB (ECB Data Portal, FM.D.U2.EUR.4F.KR.MRR_FR.LEV) not refreshed: it gives 2.75 % on "
        "2025-03-12 where the table in force says 2.65 %"
    ) in err
    assert "AT-BASIS not refreshed: it follows the ECB rate" in err


def test_an_answer_that_trickles_in_is_cut_at_the_deadline(publishers: Publishers) -> None:
    path = "/ecb/data/FM/D.U2.EUR.4F.KR.MRR_FR.LEV"
    publishers.drip.add(path)
    with pytest.raises(http.FetchError, match=r"no whole answer within 0.5 s"):
        http.get(publishers.url + path, "text/csv", timeout=0.5)


def test_the_running_app_takes_the_tables_an_update_wrote_since_it_started(
    publishers: Publishers, tmp_path: Path
) -> None:
    from bot.config import Settings
    from bot.entry.composition import build_runtime

    fetched = tmp_path / "fetched-rates.toml"
    runtime = build_runtime(Settings(fetched_rates_file=fetched))
    fetched_source = "Bank of England Interactive Database"
    assert not runtime.laws().rates["BoE"].source.startswith(fetched_source)  # bundled
    assert main(["rates", "update"]) == 0  # e.g. from cron, while the app runs
    assert runtime.laws().rates["BoE"].source.startswith(fetched_source)
    assert runtime.composer.laws.rates["BoE"].source.startswith(fetched_source)  # notices use it
    assert runtime.laws().rates["BoE"].as_of == date(2026, 6, 18)
    fetched.write_text("not toml [", encoding="utf-8")
    assert runtime.laws().rates["BoE"].source.startswith(fetched_source)  # kept, and logged
    runtime.engine.dispose()
