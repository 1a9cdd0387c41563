"""The buttons on a bank line's card and the *Choose invoices…* form: a payment applied or
dismissed exactly once, whoever clicks first; the others are told who decided. Only approvers
decide; the others are refused politely, and it is logged. A card on someone's Home (a Home
has no thread to answer in) is answered by a direct message, and the Home drawn again."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, Respond

from bot.domain.states import BankLineState
from bot.rendering.staff_text import N_, _, say
from bot.services import cash
from bot.slack.access import Role
from bot.slack.blocks.cash import choose_modal
from bot.slack.cash_poster import refresh_line
from bot.slack.deps import Deps
from bot.slack.home_publisher import publish_home
from bot.slack.ids import CASH_APPLY, CASH_CHOOSE, CASH_CHOOSE_CALLBACK, CASH_NOT_PAYMENT
from bot.slack.modal_opener import open_then_fill
from bot.slack.mrkdwn import escape
from bot.slack.permissions import Submission, on_submission

#: what the loser of a race on a line reads, per the state the winner left it in
ALREADY = {
    BankLineState.APPLIED: N_("This payment was already applied{who}."),
    BankLineState.SUGGESTED: N_("This payment was already suggested{who}."),
    BankLineState.TO_DECIDE: N_("This payment was already left to decide{who}."),
    BankLineState.IGNORED: N_("This payment was already ignored{who}."),
    BankLineState.NOT_PAYMENT: N_("This payment was already marked not a customer payment{who}."),
    BankLineState.REVERSED: N_("This payment was already reversed{who}."),
}


@dataclass(frozen=True)
class Answer:
    """How the person who clicked is answered: ephemerally where they clicked, else by direct
    message; `on_home` when the card was on their Home, which is then drawn again."""

    text: Callable[[str], object]
    on_home: bool = False

    def __call__(self, text: str, blocks: list[dict[str, Any]] | None = None) -> None:
        self.text(text)  # a refusal's words (its blocks are for a thread, not a Home)


def register(app: App, deps: Deps) -> None:
    lines = _Lines(deps)

    def clicked(action_id: str, work: Callable[[str, int, Answer, str], None]) -> None:
        @app.action(action_id)
        def on_click(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
            ack()
            user = body["user"]["id"]
            line_id = int(body["actions"][0]["value"])
            reply = _answer(deps, body, respond, user)
            if not deps.approvers.may_decide(user):
                deps.refuse(user, N_("apply bank payments"), reply, {"bank_line": line_id})
                return
            work(user, line_id, reply, body.get("trigger_id", ""))

    clicked(CASH_APPLY, lines.apply_clicked)
    clicked(CASH_NOT_PAYMENT, lines.not_payment_clicked)
    clicked(CASH_CHOOSE, lines.choose_clicked)

    @on_submission(
        app,
        deps,
        CASH_CHOOSE_CALLBACK,
        role=Role.APPROVER,
        what=N_("apply bank payments"),
        block="invoices",
        detail=lambda view: {"bank_line": view.get("private_metadata", "")},
    )
    def chosen(form: Submission) -> None:
        line_id = int(form.view["private_metadata"])
        value = form.values["invoices"]["value"]
        picked = [o["value"] for o in value.get("selected_options") or []]
        picked += [n.strip() for n in (value.get("value") or "").splitlines() if n.strip()]
        if not picked:
            form.ack(
                response_action="errors", errors={"invoices": _("Choose at least one invoice")}
            )
            return
        form.ack()
        tell = Answer(deps.tell_user(form.user))
        deps.later(
            lambda: lines.apply(form.user, line_id, picked, tell),
            f"applying bank line {line_id}",
            tell.text,
        )


def _ephemeral(respond: Respond) -> Callable[[str], object]:
    return lambda text: respond(text=text, response_type="ephemeral", replace_original=False)


def _answer(deps: Deps, body: dict[str, Any], respond: Respond, user: str) -> Answer:
    """A click on a card on the person's Home is answered by direct message (and the Home drawn
    again); anywhere else, ephemerally where they clicked."""
    if body.get("view", {}).get("type") == "home":
        return Answer(deps.tell_user(user), on_home=True)
    return Answer(_ephemeral(respond))


class _Lines:
    """What each button does, once an approver clicked it."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.locale = deps.runtime.settings.locale

    def told(
        self, result: cash.LineDecided, user: str, reply: Answer, target: BankLineState
    ) -> None:
        """The loser is told who decided first (a person's own resent click stays silent)."""
        line = result.line
        if not result.won and not (line.decided_by == user and line.state == target):
            who = _(" by <@{user}>", user=line.decided_by) if line.decided_by else ""
            reply.text(_(ALREADY[line.state], who=who))
        elif result.problem:
            reply.text(_("Nothing applied: {problem}.", problem=escape(say(result.problem))))
        refresh_line(self.deps.client, line, self.locale)
        if reply.on_home:
            publish_home(self.deps, user)

    def apply(self, user: str, line_id: int, numbers: Sequence[str], reply: Answer) -> None:
        result = cash.apply_line(
            self.deps.runtime.engine,
            line_id,
            user,
            composer=self.deps.runtime.composer,
            run_date=self.deps.today(),
            numbers=numbers,
        )
        self.told(result, user, reply, BankLineState.APPLIED)

    def apply_clicked(self, user: str, line_id: int, reply: Answer, _trigger: str) -> None:
        self.deps.later(
            lambda: self.apply(user, line_id, (), reply),
            f"applying bank line {line_id}",
            reply.text,
        )

    def not_payment_clicked(self, user: str, line_id: int, reply: Answer, _trigger: str) -> None:
        def work() -> None:
            result = cash.not_a_payment(self.deps.runtime.engine, line_id, user)
            self.told(result, user, reply, BankLineState.NOT_PAYMENT)

        self.deps.later(work, f"dismissing bank line {line_id}", reply.text)

    def choose_clicked(self, user: str, line_id: int, _reply: Answer, trigger: str) -> None:
        def fill() -> dict[str, Any] | str:
            view = cash.line_view(self.deps.runtime.engine, line_id)
            if not view.open:
                return _("This payment was already decided by <@{user}>.", user=view.decided_by)
            return choose_modal(view, self.locale)

        open_then_fill(self.deps.client, trigger, CASH_CHOOSE_CALLBACK, fill)
