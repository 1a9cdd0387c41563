"""Every action id and modal callback id in one place: the blocks that draw a button and the
listener that answers it name the same constant, so neither can drift from the other."""

from __future__ import annotations

import re

# Buttons on a reminder's card
APPROVE = "reminder_approve"
EDIT = "reminder_edit"
SKIP = "reminder_skip"
LOG_CALL = "call_log"
LETTER = "letter_download"
LEGAL_PART = "legal_part"  # a final notice's legal part, in a modal

# Buttons elsewhere
APPROVE_ALL = "stage_approve_all"  # the digest, one per stage: `numbered`
SHOW_HELD_BACK = (
    "digest_show_held_back"  # the digest, one per reason a customer is held: `numbered`
)
OPEN_DIGEST = "open_digest"  # App Home: a link to the digest, nothing to do
OPEN_SETTINGS = "open_settings"  # App Home, for leads

# Buttons on a bank line's card (the value: the line's id)
CASH_APPLY = "cash_apply"
CASH_CHOOSE = "cash_choose"
CASH_NOT_PAYMENT = "cash_not_payment"

# Modals submitted
EDIT_CALLBACK = "reminder_edit_submit"
SKIP_CALLBACK = "reminder_skip_submit"
CALL_CALLBACK = "call_logged"
SETTINGS_CALLBACK = "settings_submit"
LEGAL_CALLBACK = "legal_part_shown"  # nothing to submit: read and close
CASH_CHOOSE_CALLBACK = "cash_choose_submit"  # the invoices a bank line pays


def numbered(action_id: str, n: int) -> str:
    """The n-th of several buttons that do the same thing in one block: Slack refuses two
    equal action ids in a block, so each gets its own (`stage_approve_all.2`); the value
    still says what it acts on."""
    return f"{action_id}.{n}"


def any_numbered(action_id: str) -> re.Pattern[str]:
    """What a listener matches: the action id, numbered or not."""
    return re.compile(rf"^{re.escape(action_id)}(\.\d+)?$")
