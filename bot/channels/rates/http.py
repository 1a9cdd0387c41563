"""A bounded GET for the rate publishers: a deadline, a size cap, and only a 200 counts.

A publisher's answer is evidence to be checked by its reader, never trusted: the cap keeps a
runaway or hostile response from filling memory, and an error page is refused before parsing.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request

TIMEOUT_SECONDS = 20.0  # for the whole answer, not only for each read
CHUNK = 65_536
MAX_BYTES = 2_000_000  # a few years of a daily series in full detail is well under this
USER_AGENT = "Relance rates update (statutory late-payment interest)"


class FetchError(OSError):
    """The publisher could not be read: unreachable, an error status, or too large."""


def get(url: str, accept: str, timeout: float = TIMEOUT_SECONDS, limit: int = MAX_BYTES) -> str:
    """The body of `url` as text (UTF-8, a BOM dropped), read within `timeout` seconds in all."""
    if not url.startswith(("https://", "http://")):
        raise FetchError(f"{url}: only http(s) addresses are fetched")
    request = urllib.request.Request(url, headers={"Accept": accept, "User-Agent": USER_AGENT})
    deadline = time.monotonic() + timeout
    body = b""
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            if response.status != 200:
                raise FetchError(f"{url}: HTTP {response.status}")
            while len(body) <= limit:
                if time.monotonic() > deadline:
                    raise FetchError(f"{url}: no whole answer within {timeout:g} s")
                chunk = response.read1(CHUNK)
                if not chunk:
                    break
                body += chunk
    except FetchError:
        raise
    except urllib.error.HTTPError as exc:
        raise FetchError(f"{url}: HTTP {exc.code}") from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FetchError(f"{url}: {reason}") from exc
    if len(body) > limit:
        raise FetchError(f"{url}: the answer is larger than {limit} bytes")
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FetchError(f"{url}: the answer is not UTF-8 text") from exc
