"""How the long-running commands log: human lines by default, or with
`RELANCE_LOG_FORMAT=json` one JSON object per line (time, level, logger, event, and the ids a
record carries: request, reminder, customer) for a log pipeline. Tokens and passwords that a
message might quote are masked; request bodies are never logged."""

from __future__ import annotations

import contextvars
import json
import logging
import os
import re
from datetime import UTC, datetime
from typing import Any

HUMAN = "%(asctime)s %(levelname)s %(name)s %(message)s"
IDS = ("request_id", "reminder_id", "customer_id")

#: The request being answered (a Slack request or Socket Mode envelope), for every line logged
#: while it is.
request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")

_SECRETS = (
    (re.compile(r"\bxox[a-z]-[A-Za-z0-9-]+"), "xox*-***"),
    (re.compile(r"\bxapp-[A-Za-z0-9-]+"), "xapp-***"),
    (re.compile(r"(://[^:/@\s]+:)[^@\s]+@"), r"\1***@"),
    (re.compile(r"(?i)(password|secret|token)=\S+"), r"\1=***"),
)


def mask(text: str) -> str:
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": mask(record.getMessage()),
        }
        ids = {name: getattr(record, name, None) for name in IDS}
        ids["request_id"] = ids["request_id"] or request_id.get() or None
        line.update({name: value for name, value in ids.items() if value})
        if record.exc_info and record.exc_info[0] is not None:
            line["error"] = record.exc_info[0].__name__
            line["traceback"] = mask(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False, default=str)


def json_wanted() -> bool:
    return os.environ.get("RELANCE_LOG_FORMAT", "human").strip().lower() == "json"


def configure(level: int = logging.INFO) -> None:
    """The root logger's one handler, in the format asked for."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if json_wanted() else logging.Formatter(HUMAN))
    logging.basicConfig(level=level, handlers=[handler], force=True)


def gunicorn_config() -> dict[str, Any]:
    """gunicorn's own loggers (its errors, its access log) in the same JSON form."""
    if not json_wanted():
        return {}
    handler = {"class": "logging.StreamHandler", "formatter": "json"}
    own = {"handlers": ["console"], "level": "INFO", "propagate": False}
    return {
        "logconfig_dict": {
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": {"json": {"()": "bot.logs.JsonFormatter"}},
            "handlers": {"console": handler},
            "loggers": {"gunicorn.error": own, "gunicorn.access": own},
            "root": {"handlers": ["console"], "level": "INFO"},
        }
    }
