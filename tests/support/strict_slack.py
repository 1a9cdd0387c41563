"""Every test fails when the app sent Slack something Slack refuses — wherever it was sent (the
fake Slack's Web API or response URLs, or an acknowledgement the app answered a signed
request with), whatever the test itself asserted, and even if the app swallowed the error."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.fake_slack import Violation, violations_mark, violations_since


class SlackRefused(AssertionError):
    pass


def _report(found: list[Violation]) -> str:
    lines = "\n".join(f"  - {v}" for v in found)
    return f"Slack would refuse {len(found)} call(s) this test made:\n{lines}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    mark = violations_mark()
    try:
        outcome = yield
    except BaseException as failure:
        found = violations_since(mark)
        item.slack_mark = violations_mark()  # type: ignore[attr-defined]
        if found:
            raise SlackRefused(_report(found)) from failure
        raise
    found = violations_since(mark)
    item.slack_mark = violations_mark()  # type: ignore[attr-defined]
    if found:
        raise SlackRefused(_report(found))
    return outcome


@pytest.fixture(autouse=True)
def strict_slack(request: pytest.FixtureRequest) -> Iterator[None]:
    """What the fixtures sent while setting up or tearing down (and late background work)."""
    request.node.slack_mark = violations_mark()
    yield
    found = violations_since(request.node.slack_mark)
    if found:
        pytest.fail(_report(found), pytrace=False)
