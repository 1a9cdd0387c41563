"""A person's view of the page, or a machine's prefetch (bot/domain/page_visits.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.page_visits import PREFETCH_WINDOW, looks_prefetched

# Agents as their publishers document them (sources in bot/domain/page_visits.py), and
# browsers' own strings as they send them.
MACHINES = [
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) BingPreview/1.0b",
    "Mozilla/4.0 (compatible; ms-office; MSOffice 16)",
    "Barracuda Sentinel (EE)",
    "",
]
PEOPLE = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
]


@pytest.mark.parametrize("agent", MACHINES)
def test_scanners_and_previewers_are_prefetches_even_returning(agent: str) -> None:
    assert looks_prefetched(agent, returning=True, since_sent=None)


@pytest.mark.parametrize("agent", PEOPLE)
def test_a_browser_is_a_person_unless_it_comes_first_and_at_once(agent: str) -> None:
    assert not looks_prefetched(agent, returning=False, since_sent=None)
    assert not looks_prefetched(agent, returning=False, since_sent=timedelta(hours=2))
    assert not looks_prefetched(agent, returning=True, since_sent=timedelta(seconds=3))
    assert looks_prefetched(agent, returning=False, since_sent=timedelta(seconds=3))
    assert looks_prefetched(agent, returning=False, since_sent=PREFETCH_WINDOW)
