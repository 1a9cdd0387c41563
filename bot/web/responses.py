"""What the page answers with: a status, a body and headers, the security headers every answer
carries, and the one script a page may run."""

from __future__ import annotations

import base64
import hashlib
from http import HTTPStatus

HEADERS = [
    ("Content-Type", "text/html; charset=utf-8"),
    ("Cache-Control", "no-store"),
    ("Referrer-Policy", "no-referrer"),  # the link is a credential: never sent onwards
    ("X-Content-Type-Options", "nosniff"),
    (
        "Content-Security-Policy",
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    ),
]


COPY_SCRIPT = "web/copy.js"  # the one script the page runs, allowed by its hash


def with_script(headers: list[tuple[str, str]], script: str) -> list[tuple[str, str]]:
    """The headers with the policy allowing exactly `script` inline (CSP Level 2 hash source)."""
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    return [
        (
            name,
            f"{value}; script-src 'sha256-{digest}'"
            if name == "Content-Security-Policy"
            else value,
        )
        for name, value in headers
    ]


class Response:
    def __init__(
        self,
        status: HTTPStatus,
        body: str | bytes = "",
        headers: list[tuple[str, str]] | None = None,
    ):
        self.status, self.body, self.headers = status, body, headers or []
