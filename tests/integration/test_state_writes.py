"""Read from the source of all of `bot/`: nothing writes a state except through
`bot.domain.states`, so the transition table is the whole truth about what can happen to a row;
and no query or renderer spells a state as a string, so every state is one the enums know."""

from __future__ import annotations

import ast
import re
from enum import StrEnum
from pathlib import Path

import bot
from bot.domain import inbound, outcomes, states

BOT = Path(bot.__file__).parent
TABLES_WITH_STATE = {"Reminder", "Outbox", "Promise", "PaymentPlan", "BankLine", "Invoice"}
#: The enums whose members a state is; their own modules are where their strings are written.
ENUMS: list[type[StrEnum]] = [
    states.ReminderState,
    states.OutboxState,
    states.PromiseState,
    states.PlanState,
    states.BankLineState,
    states.InvoiceStatus,
    inbound.Kind,
    outcomes.Delivery,
    outcomes.FiledAs,
]
DEFINED_IN = {Path(m.__file__).resolve() for m in (states, inbound, outcomes)}
ANY_STATE = {s.value for e in ENUMS for s in e}
#: The names a state goes by in a row, a view or a query, and the strings each may hold.
NAMED = {
    "state": {s.value for e in ENUMS[:5] for s in e},
    "delivery": {s.value for s in states.OutboxState},
    "status": {s.value for s in states.InvoiceStatus},
    "kind": {s.value for s in inbound.Kind},
}


def _is_transition(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "transition"
    )


def _is_move_target(node: ast.expr) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "target"


def _writes_rows(func: ast.expr) -> bool:
    """`….values(…)` of an update, or a new row of a table with a state."""
    return (isinstance(func, ast.Attribute) and func.attr == "values") or (
        isinstance(func, ast.Name) and func.id in TABLES_WITH_STATE
    )


def _state_writes(tree: ast.AST) -> list[tuple[int, bool]]:
    """(line, goes through the domain) for each place that sets a `state`."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                pairs = (
                    zip(target.elts, node.value.elts, strict=True)
                    if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple)
                    else [(target, node.value)]
                )
                for name, value in pairs:
                    if isinstance(name, ast.Attribute) and name.attr == "state":
                        found.append((node.lineno, _is_transition(value)))
        elif isinstance(node, ast.Call) and _writes_rows(node.func):
            for keyword in node.keywords:
                if keyword.arg == "state":
                    found.append((keyword.value.lineno, _is_move_target(keyword.value)))
        elif isinstance(node, ast.Dict):
            for key in node.keys:
                if isinstance(key, ast.Constant) and key.value == "state":
                    found.append((key.lineno, False))
    return found


def test_every_state_write_goes_through_the_transition_table() -> None:
    outside = []
    writes = 0
    for path in sorted(BOT.rglob("*.py")):
        for line, checked in _state_writes(ast.parse(path.read_text(encoding="utf-8"))):
            writes += 1
            if not checked:
                outside.append(f"{path.relative_to(BOT)}:{line}")
    assert outside == []
    assert writes >= 10  # the scan finds the writes it is meant to check


def test_the_scan_catches_a_plain_write() -> None:
    tree = ast.parse(
        "reminder.state = 'sent'\n"
        "a.state, a.sent_at = 'done', now\n"
        "sa.update(Outbox).values(state='cancelled')\n"
        "_claim(session, 1, {'state': 'approved'})\n"
        "Promise(invoice_id=1, state='kept')\n"
        "ReminderView(state=reminder.state)\n"  # a value read, not a row written
    )
    assert [checked for _line, checked in _state_writes(tree)] == [False] * 5


#: A state spelt in SQL text: `state = 'sent'`, `status IN ('void', …)`.
IN_SQL = re.compile(r"\b(state|status|kind)\s*(=|<>|!=|\bIN\b)\s*\(?\s*'", re.IGNORECASE)


def _name(node: ast.expr) -> str | None:
    """The state name an expression reads: `x.state`, `state`, `col(X.state)`."""
    if isinstance(node, ast.Call) and node.args:
        return _name(node.args[0])
    if isinstance(node, ast.Attribute):
        return node.attr if node.attr in NAMED else None
    if isinstance(node, ast.Name):
        return node.id if node.id in NAMED else None
    return None


def _strings(node: ast.expr) -> list[str]:
    """A string literal, or a tuple, list or set of them."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return [s for e in node.elts for s in _strings(e)]
    if isinstance(node, ast.IfExp):
        return _strings(node.body) + _strings(node.orelse)
    return []


def _spelt(values: list[str]) -> bool:
    """Two or more strings, all of one enum: a list of states spelt out (or a dict's keys)."""
    return len(values) >= 2 and any(set(values) <= {s.value for s in e} for e in ENUMS)


def _literal_states(tree: ast.AST) -> list[int]:
    """The lines where a state is a string: compared with, passed as, or listed."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            names = {n for o in operands if (n := _name(o))}
            if any(set(_strings(o)) & NAMED[n] for o in operands for n in names):
                found.append(node.lineno)
        elif isinstance(node, ast.Call):
            func = node.func
            if (
                isinstance(func, ast.Attribute)
                and func.attr in ("in_", "not_in", "notin_")
                and (name := _name(func.value))
                and any(set(_strings(a)) & NAMED[name] for a in node.args)
            ):
                found.append(node.lineno)
            found += [
                k.value.lineno
                for k in node.keywords
                if k.arg in NAMED and set(_strings(k.value)) & NAMED[k.arg]
            ]
            if (
                isinstance(func, ast.Name)
                and func.id == "getattr"
                and len(node.args) > 1
                and set(_strings(node.args[1])) & ANY_STATE
            ):
                found.append(node.lineno)  # a report's list named by a state: `report.of`
            found += [
                c.lineno
                for a in node.args
                for c in ast.walk(a)
                if isinstance(c, ast.Constant)
                and isinstance(c.value, str)
                and IN_SQL.search(c.value)
            ]
        elif isinstance(node, ast.Assign):
            names = {n for t in node.targets if (n := _name(t))}
            if any(set(_strings(node.value)) & NAMED[n] for n in names):
                found.append(node.lineno)
        elif isinstance(node, ast.Dict):
            keys = [s for k in node.keys if k is not None for s in _strings(k)]
            if _spelt(keys):
                found.append(node.lineno)
        elif isinstance(node, ast.Tuple | ast.List | ast.Set) and _spelt(_strings(node)):
            found.append(node.lineno)
    return sorted(set(found))


def test_no_query_or_renderer_spells_a_state() -> None:
    spelt = [
        f"{path.relative_to(BOT)}:{line}"
        for path in sorted(BOT.rglob("*.py"))
        if path.resolve() not in DEFINED_IN
        for line in _literal_states(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert spelt == []


def test_the_scan_catches_a_spelt_state() -> None:
    tree = ast.parse(
        "select(Outbox).where(Outbox.state == 'pending')\n"
        "col(Reminder.state).not_in(['suggested', 'expired'])\n"
        "if view.state in ('suggested', 'approved'): pass\n"
        "if row.kind != 'unreadable': pass\n"
        "Invoice(status='void')\n"
        "WORDS = {'applied': 'Applied', 'reversed': 'Reversed'}\n"
        "FAILING = ('bounce', 'left_company')\n"
        "row.kind = 'unreadable' if unread else message.kind\n"
        "conn.execute(sa.text(\"UPDATE s SET paid = amount WHERE status = 'paid'\"))\n"
        "getattr(report, 'sent').append(reminder_id)\n"
        "view.state == ReminderState.SENT\n"  # the enum's member: fine
        "kind == 'page_view'\n"  # an audit event's kind, not an inbound message's
        "response.status == 200\n"
    )
    assert _literal_states(tree) == list(range(1, 11))
