"""How the mail channels may reach their servers: each `*_SECURITY` value is one of a known few,
and clear text (`none`) only to this machine, where no password crosses a network. Checked
at start-up (bot/services/operations/settings_check.py, `relance check`) and again by each channel before it
connects, so no path sends a password in clear to another host."""

from __future__ import annotations

import ipaddress

SECURITY = {
    "SMTP_SECURITY": ("none", "starttls", "ssl"),
    "IMAP_SECURITY": ("ssl", "starttls", "none"),
}


class InsecureTransport(ValueError):
    """A connection refused before it is made: the settings would expose it."""


def is_loopback(host: str) -> bool:
    """`localhost`, or a literal address on the loopback network; never a name to resolve (what
    it resolves to may change)."""
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def transport_problem(setting: str, security: str, host: str) -> str:
    """Why `setting` (SMTP_SECURITY or IMAP_SECURITY) may not be used with `host`; empty when
    it may."""
    allowed = SECURITY[setting]
    if security not in allowed:
        return f"{security!r} is not one of {', '.join(allowed)}"
    if security == "none" and not is_loopback(host):
        return (
            f"is none (clear text) but the server {host!r} is not this machine: "
            "use starttls or ssl (none is for loopback only)"
        )
    return ""


def require_secure(setting: str, security: str, host: str) -> None:
    problem = transport_problem(setting, security, host)
    if problem:
        raise InsecureTransport(f"{setting} {problem}")
