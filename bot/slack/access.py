"""Who may decide: the configured Slack users, members of the configured user groups, and
the finance leads.

Group membership is read from Slack (`usergroups.users.list`) and kept for a few minutes. With
nobody configured, nobody may decide: a safe default for a tool that sends mail to customers.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from enum import Enum

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.config import Settings

log = logging.getLogger(__name__)
GROUP_CACHE_SECONDS = 300


class Role(Enum):
    APPROVER = "approver"  # decides on reminders, logs calls, uses /relance
    LEAD = "lead"  # changes the settings


class Approvers:
    def __init__(self, settings: Callable[[], Settings], client: WebClient):
        self.settings = settings  # read at each check: leads may change approvers in Slack
        self.client = client
        self._members: dict[tuple[str, ...], tuple[float, frozenset[str]]] = {}
        self._lock = threading.Lock()

    def _group_members(self, groups: tuple[str, ...] | None = None) -> frozenset[str]:
        """The members of `groups` (the approver groups by default), kept a few minutes."""
        groups = self.settings().approver_groups if groups is None else groups
        with self._lock:
            fetched_at, known = self._members.get(groups, (float("-inf"), frozenset()))
            if time.monotonic() - fetched_at < GROUP_CACHE_SECONDS:
                return known
            members: set[str] = set()
            for group in groups:
                try:
                    members.update(self.client.usergroups_users_list(usergroup=group)["users"])
                except SlackApiError as exc:
                    log.error(
                        "cannot read members of user group %s: %s", group, exc.response.get("error")
                    )
            self._members[groups] = (time.monotonic(), frozenset(members))
            return frozenset(members)

    def may_decide(self, user_id: str) -> bool:
        """Approvers, members of approver groups, and the finance leads."""
        settings = self.settings()
        return (
            user_id in settings.approvers
            or user_id in settings.leads
            or (bool(settings.approver_groups) and user_id in self._group_members())
        )

    def may_view(self, user_id: str) -> bool:
        """Those who decide, and the read-only viewers (`RELANCE_VIEWERS`: users or groups):
        they may look a customer up and see the Home's figures, never decide."""
        if self.may_decide(user_id):
            return True
        viewers = self.settings().viewers
        if user_id in viewers:
            return True
        groups = tuple(v for v in viewers if v.startswith("S"))
        return bool(groups) and user_id in self._group_members(groups)

    def is_lead(self, user_id: str) -> bool:
        return user_id in self.settings().leads

    def allows(self, user_id: str, role: Role) -> bool:
        """The one check every listener goes through (see `slack.permissions`)."""
        return self.is_lead(user_id) if role is Role.LEAD else self.may_decide(user_id)

    def who(self) -> str:
        """How to name the approvers in a refusal."""
        settings = self.settings()
        names = [f"<@{u}>" for u in sorted(settings.approvers)] + [
            f"<!subteam^{g}>" for g in settings.approver_groups
        ]
        return ", ".join(names) if names else "nobody yet (ask the finance lead to set approvers)"
