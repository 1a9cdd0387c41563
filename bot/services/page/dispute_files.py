"""The file a customer sends with a dispute: checked before anything is recorded, kept in the
database with an audit event naming its hash, and given to staff only through a link signed
with the page's secret that expires (`FILE_LINK_DAYS`). It is always served as a download,
never shown inline: what a customer sends may be hostile."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.db import unit_of_work
from bot.domain import invoice_list
from bot.domain.file_types import DOCUMENTS, FileType, is_crafted_name, safe_filename, sniff
from bot.models import DisputeFile
from bot.services import audit
from bot.services.common.queries import id_of
from bot.services.page.page_links import timed_serializer

MAX_BYTES = 5 * 1024 * 1024
FILE_LINK_DAYS = 14  # long enough to take up a dispute, short enough for a forwarded message
ROUTE = "file"  # the staff's download: /pay/file/<signed id>
_SALT = "relance-dispute-file"


class FileRefused(Exception):
    """A file that is not kept: `code` is too_big | wrong_type | bad_name."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Evidence:
    filename: str
    kind: FileType
    content: bytes


def checked(filename: str, content: bytes) -> Evidence:
    """The file as it will be kept: at most `MAX_BYTES`, a PDF, PNG or JPEG by its bytes, under
    a clean name. A browser sends a file's own name, never a path: a name with a folder in it
    was written by hand, and is refused."""
    if is_crafted_name(filename):
        raise FileRefused("bad_name")
    if len(content) > MAX_BYTES:
        raise FileRefused("too_big")
    kind = sniff(content, DOCUMENTS)
    if kind is None:
        raise FileRefused("wrong_type")
    return Evidence(safe_filename(filename, kind), kind, content)


def store(
    engine: Engine,
    customer_id: int,
    numbers: tuple[str, ...],
    evidence: Evidence,
    link: str,
    actor: str,
    note: dict[str, str],
) -> int:
    """Keep the file and record it in the audit trail, in one transaction; its id."""
    digest = hashlib.sha256(evidence.content).hexdigest()
    with unit_of_work(engine) as session:
        row = DisputeFile(
            customer_id=customer_id,
            invoice_numbers=invoice_list.joined(numbers),
            filename=evidence.filename,
            content_type=evidence.kind.mime,
            size=len(evidence.content),
            sha256=digest,
            content=evidence.content,
            link=link,
        )
        session.add(row)
        session.flush()
        audit.append(
            session,
            audit.NewEvent(
                kind="page_dispute_file",
                actor=actor,
                customer_id=customer_id,
                invoice_numbers=numbers,
                channel="page",
                content={
                    "file": id_of(row),
                    "filename": evidence.filename,
                    "type": evidence.kind.mime,
                    "size": len(evidence.content),
                    "sha256": digest,
                    **note,
                },
            ),
        )
        return id_of(row)


def staff_link(settings: Settings, file_id: int, now: datetime) -> str:
    """Where staff fetch the file: signed, expiring, naming nothing but the file's id."""
    token = _serializer(settings, now).dumps(file_id)
    return f"{settings.public_url}/pay/{ROUTE}/{token}"


@dataclass(frozen=True)
class Fetched:
    filename: str
    content_type: str
    content: bytes


def fetch(engine: Engine, settings: Settings, token: str, now: datetime) -> Fetched | None:
    """The file a staff link names while it holds, its opening audited; None when the link is
    forged or expired, or names no file."""
    try:
        file_id, signed_at = _serializer(settings).loads(token, return_timestamp=True)
    except BadSignature:
        return None
    if not isinstance(file_id, int) or isinstance(file_id, bool):
        return None
    if (now - signed_at.astimezone(UTC)).total_seconds() > FILE_LINK_DAYS * 86400:
        return None
    with unit_of_work(engine) as session:
        row = session.get(DisputeFile, file_id)
        if row is None:
            return None
        audit.append(
            session,
            audit.NewEvent(
                kind="dispute_file_opened",
                actor="staff-link",
                customer_id=row.customer_id,
                invoice_numbers=invoice_list.numbers(row.invoice_numbers),
                content={"file": file_id, "sha256": row.sha256},
            ),
        )
        return Fetched(row.filename, row.content_type, row.content)


def _serializer(settings: Settings, now: datetime | None = None) -> URLSafeTimedSerializer:
    return timed_serializer(settings, _SALT, now)
