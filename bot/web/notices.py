"""What the page sends beyond the page itself: a notice to the address on record when a customer
asks to change it (whoever asked may not be the customer)."""

from __future__ import annotations

import logging

from bot.services.accounts import contact_changes
from bot.services.common.context import Runtime
from bot.web.words import words

log = logging.getLogger(__name__)


def tell_old_address(runtime: Runtime, request_id: int) -> None:
    """The address on record hears that a change was asked (in its customer's language);
    a failure is logged, the request stands."""
    settings = runtime.settings
    try:
        asked = contact_changes.asked_of(runtime.engine, request_id)
        if not asked.email:
            return
        _, t = words(settings.templates_dir, asked.language)
        text = t["contact_notice_body"].format(customer=asked.customer_name)
        contact_changes.tell_old_address(
            settings, asked.email, t["contact_notice_subject"], text, asked.language
        )
    except Exception:
        log.exception("could not tell the address on record of contact change %s", request_id)
