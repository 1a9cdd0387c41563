"""What one pass did with each thing it handled: the sender with a message, the folder import
with a file. Not stored (unlike `states`), but read by the adapters, so named once here."""

from __future__ import annotations

from enum import StrEnum


class Delivery(StrEnum):
    """One attempt of the sender at one message: the report's list it goes in."""

    SENT = "sent"
    RETRYING = "retrying"  # failed, tried again later
    FAILED = "failed"  # failed for good
    CANCELLED = "cancelled"  # stopped before it left: overtaken since its approval


class FiledAs(StrEnum):
    """Where the folder import files a file it read: the subfolder's name."""

    DONE = "done"  # imported
    FAILED = "failed"  # nothing imported: its error report lies beside it
