"""`/relance <sub-command> …`: one router, one module per sub-command.

Every sub-command but `help` shows customer financial data or changes it, so only approvers
may use them (confidentiality); others get a polite refusal, logged.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond

from bot.rendering.staff_text import _, say
from bot.services.common.errors import Invalid
from bot.slack.deps import Deps, Reply
from bot.slack.listeners.commands import (
    assign,
    audit,
    customer,
    digest,
    dispute,
    log_call,
    pause,
    plan,
    promise,
    resolve,
)
from bot.slack.listeners.commands.args import usage_text
from bot.slack.mrkdwn import escape

Handler = Callable[[Deps, list[str], dict[str, Any], Reply], None]

#: name -> (handler, usage line). `help` is answered by the router from this table.
SUBCOMMANDS: dict[str, tuple[Handler, str]] = {
    "digest": (digest.run, digest.USAGE),
    "customer": (customer.run, customer.USAGE),
    "promise": (promise.run, promise.USAGE),
    "dispute": (dispute.run, dispute.USAGE),
    "resolve": (resolve.run, resolve.USAGE),
    "pause": (pause.run, pause.USAGE),
    "resume": (pause.run_resume, pause.RESUME_USAGE),
    "log-call": (log_call.run, log_call.USAGE),
    "plan": (plan.run, plan.USAGE),
    "audit": (audit.run, audit.USAGE),
    "assign": (assign.run, assign.USAGE),
}


#: What read-only viewers (`RELANCE_VIEWERS`) may run besides `help`.
READ_ONLY = frozenset({"customer"})


def help_text() -> str:
    lines = [_("`/relance help` — this list"), *(usage_text(u) for _h, u in SUBCOMMANDS.values())]
    return _("*Relance* — what you can do here:") + "\n" + "\n".join(f"• {line}" for line in lines)


def register(app: App, deps: Deps) -> None:
    @app.command("/relance")
    def relance(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        ack()
        user = command["user_id"]

        def reply(text: str, blocks: list[dict[str, Any]] | None = None) -> None:
            respond(text=text, blocks=blocks, response_type="ephemeral")

        try:
            words = shlex.split(command.get("text", ""))
        except ValueError:
            reply(_("I could not read that: check the quotes. Try `/relance help`."))
            return
        name, args = (words[0].lower(), words[1:]) if words else ("help", [])
        if name == "help":
            reply(help_text())
            return
        if name not in SUBCOMMANDS:
            reply(_("I don't know `{name}`. Try `/relance help`.", name=escape(name[:40])))
            return
        allowed = (
            deps.approvers.may_view(user) if name in READ_ONLY else deps.approvers.may_decide(user)
        )
        if not allowed:
            deps.refuse(user, _("use /relance {name}", name=name), reply)
            return
        handler, _usage = SUBCOMMANDS[name]
        try:
            handler(deps, args, command, reply)
        except Invalid as refused:  # nothing was changed: say why
            reply(f"⚠️ {escape(say(refused.phrase))}")
