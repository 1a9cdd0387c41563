"""`make lint` refuses what would undo the house's shape, each breach with a message naming it.

Each test copies `bot/` and `pyproject.toml` aside, writes one breach into the copy and runs the
tool `make lint` runs on it, the way the next engineer would meet it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOOLS = Path(sys.executable).parent


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "bot", tmp_path / "bot", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _add(tree: Path, module: str, code: str) -> None:
    path = tree / module
    path.write_text(path.read_text() + "\n" + code + "\n")


def _run(tree: Path, *command: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": str(TOOLS), "PYTHONPATH": str(tree), "HOME": str(tree)}
    return subprocess.run(
        command, cwd=tree, env=env, capture_output=True, text=True, timeout=600, check=False
    )


def test_the_import_contracts_refuse_each_breach_by_name(tree: Path) -> None:
    _add(tree, "bot/services/reminders/editing.py", "from bot.entry import composition  # noqa")
    _add(tree, "bot/slack/mrkdwn.py", "import sqlalchemy  # noqa")
    _add(
        tree, "bot/services/accounts/payments.py", "from bot.services.cash import _applying  # noqa"
    )

    result = _run(tree, str(TOOLS / "lint-imports"), "--no-cache")

    assert result.returncode != 0
    out = " ".join(result.stdout.split())  # the report folds long lines
    assert "bot.services is not allowed to import bot.entry" in out
    assert "bot.services.reminders.editing -> bot.entry.composition" in out
    assert "bot.slack is not allowed to import sqlalchemy" in out
    assert "bot.slack.mrkdwn -> sqlalchemy" in out
    assert "bot.services.accounts.payments -> bot.services.cash._applying" in out


def test_the_untouched_tree_keeps_every_contract(tree: Path) -> None:
    result = _run(tree, str(TOOLS / "lint-imports"), "--no-cache")

    assert result.returncode == 0, result.stdout
    assert "broken" not in result.stdout.split("Contracts:")[-1].replace("0 broken", "")


def test_a_type_error_in_the_tables_is_refused(tree: Path) -> None:
    _add(tree, "bot/models/ledger.py", 'def _total() -> int:\n    return "12.50"')

    result = _run(tree, str(TOOLS / "mypy"), "--cache-dir", str(tree / ".mypy"), "bot/models")

    assert result.returncode != 0
    assert "bot/models/ledger.py" in result.stdout
    assert 'Incompatible return value type (got "str", expected "int")' in result.stdout


def test_a_function_of_complexity_16_is_refused(tree: Path) -> None:
    branches = "\n".join(f"    if x == {n}:\n        return {n}" for n in range(15))
    _add(tree, "bot/domain/money.py", f"def _tangled(x: int) -> int:\n{branches}\n    return -1")

    result = _run(tree, str(TOOLS / "ruff"), "check", "--no-cache", "bot/domain/money.py")

    assert result.returncode != 0
    assert "C901 `_tangled` is too complex (16 > 15)" in result.stdout


def test_a_function_of_61_lines_and_a_module_of_401_are_refused(tree: Path) -> None:
    (tree / ".ci").mkdir()
    shutil.copy(ROOT / ".ci" / "sizes.py", tree / ".ci" / "sizes.py")
    body = "\n".join(f"    x += {n}" for n in range(59))  # with its def and return: 61
    _add(tree, "bot/domain/money.py", f"def _long(x: int) -> int:\n{body}\n    return x")
    (tree / "bot" / "domain" / "filler.py").write_text("x = 1\n" * 401)

    result = _run(tree, sys.executable, ".ci/sizes.py")

    assert result.returncode != 0
    assert "function _long is 61 lines (limit 60)" in result.stderr
    assert "bot/domain/filler.py: module is 401 lines (limit 400)" in result.stderr
