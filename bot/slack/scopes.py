"""Every Slack Web API method Relance calls, with the bot scopes Slack requires for it and its
rate-limit tier, as each method's reference page states them (docs.slack.dev, read 2026-12-06).

`manifest.yml` must ask for exactly the union of these scopes (tests/unit/test_scopes.py);
`relance check --slack` compares the scopes a token was granted with it; the local fake Slack
refuses a method whose scope the token lacks and paces each method by its tier.

Tiers (https://docs.slack.dev/apis/web-api/rate-limits): 1 = 1+ per minute, 2 = 20+,
3 = 50+, 4 = 100+; chat.postMessage is "special": about one message per second per channel,
short bursts allowed.
"""

from __future__ import annotations

from dataclasses import dataclass

DOCS = "https://docs.slack.dev/reference/methods/"


@dataclass(frozen=True)
class Method:
    scopes: tuple[str, ...]  # bot scopes, all needed for the app's use of the method
    tier: int  # 1–4; 0 = special (chat.postMessage: per channel, see above)
    app_token: bool = False  # called with the app-level token (xapp-), not the bot's

    def doc(self, name: str) -> str:
        return DOCS + name


PER_CHANNEL = 0

METHODS: dict[str, Method] = {
    # https://docs.slack.dev/reference/methods/auth.test — no scope; special tier (Tier 4-like)
    "auth.test": Method((), 4),
    # https://docs.slack.dev/reference/methods/bots.info — users:read; Tier 3
    "bots.info": Method(("users:read",), 3),
    # https://docs.slack.dev/reference/methods/chat.postMessage — chat:write; special:
    # one message per second per channel, short bursts allowed
    "chat.postMessage": Method(("chat:write",), PER_CHANNEL),
    # https://docs.slack.dev/reference/methods/chat.update — chat:write; Tier 3
    "chat.update": Method(("chat:write",), 3),
    # https://docs.slack.dev/reference/methods/chat.postEphemeral — chat:write; Tier 4
    "chat.postEphemeral": Method(("chat:write",), 4),
    # https://docs.slack.dev/reference/methods/chat.getPermalink — no scope; special (Tier 4-like)
    "chat.getPermalink": Method((), 4),
    # https://docs.slack.dev/reference/methods/conversations.info — channels:read for a public
    # channel, groups:read for a private one (the digest channel may be either); Tier 3
    "conversations.info": Method(("channels:read", "groups:read"), 3),
    # https://docs.slack.dev/reference/methods/views.open — no scope; Tier 4
    "views.open": Method((), 4),
    # https://docs.slack.dev/reference/methods/views.update — no scope; Tier 4
    "views.update": Method((), 4),
    # https://docs.slack.dev/reference/methods/views.publish — no scope; Tier 4
    "views.publish": Method((), 4),
    # https://docs.slack.dev/reference/methods/usergroups.users.list — usergroups:read; Tier 2
    "usergroups.users.list": Method(("usergroups:read",), 2),
    # https://docs.slack.dev/reference/methods/files.getUploadURLExternal — files:write; Tier 4
    "files.getUploadURLExternal": Method(("files:write",), 4),
    # https://docs.slack.dev/reference/methods/files.completeUploadExternal — files:write; Tier 4
    "files.completeUploadExternal": Method(("files:write",), 4),
    # https://docs.slack.dev/reference/methods/apps.connections.open — the app-level token's
    # connections:write (Socket Mode), no bot scope; Tier 1
    "apps.connections.open": Method((), 1, app_token=True),
}

# Scopes the manifest asks for that no Web API method needs: `commands` adds the slash command
# (https://docs.slack.dev/reference/scopes/commands).
FEATURE_SCOPES = frozenset({"commands"})


def bot_scopes() -> frozenset[str]:
    """What the bot token must be granted: every method's scopes and the features'."""
    return FEATURE_SCOPES | {s for m in METHODS.values() if not m.app_token for s in m.scopes}


def missing(method: str, granted: frozenset[str] | set[str]) -> str | None:
    """The first scope `method` needs that `granted` lacks, else None."""
    return next((s for s in METHODS[method].scopes if s not in granted), None)
