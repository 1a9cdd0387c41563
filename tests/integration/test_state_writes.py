"""No service writes a state except through `bot.domain.states` (read from the services'
source): so the transition table is the whole truth about what can happen to a row."""

from __future__ import annotations

import ast
from pathlib import Path

import bot.services

SERVICES = Path(bot.services.__file__).parent
TABLES_WITH_STATE = {"Reminder", "Outbox", "Promise", "PaymentPlan"}


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
    for path in sorted(SERVICES.rglob("*.py")):
        for line, checked in _state_writes(ast.parse(path.read_text(encoding="utf-8"))):
            writes += 1
            if not checked:
                outside.append(f"{path.name}:{line}")
    assert outside == []
    assert writes >= 10  # the scan finds the writes it is meant to check (11 today)


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
