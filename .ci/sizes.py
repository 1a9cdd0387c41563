"""Size limits `make lint` holds bot/ to: no module over 400 lines, no function over 60 (ruff's
C901 holds complexity to 15). A long function is hard to read and to test in parts; the limit
makes the split happen when the function grows, not in a later clean-up.

Exits non-zero naming each file, function and length over a limit."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60

# Files allowed over a limit: none. A file must leave the list once it fits (a stale entry fails
# too), so an exemption is visible and temporary.
MODULE_EXEMPT: set[str] = set()
FUNCTION_EXEMPT: set[str] = set()


def _functions(tree: ast.Module) -> list[tuple[str, int, int]]:
    """Every function and method, nested ones too: (qualified name, first line, length)."""
    found: list[tuple[str, int, int]] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                name = f"{prefix}{child.name}"
                if not isinstance(child, ast.ClassDef):
                    first = min([child.lineno, *(d.lineno for d in child.decorator_list)])
                    found.append((name, child.lineno, (child.end_lineno or first) - first + 1))
                visit(child, name + ".")
            else:
                visit(child, prefix)

    visit(tree, "")
    return found


def problems(root: Path) -> list[str]:
    """Each breach of a limit under `root`/bot, and each exemption no longer needed."""
    found: list[str] = []
    still_long: set[str] = set()
    for path in sorted((root / "bot").rglob("*.py")):
        name = path.relative_to(root).as_posix()
        text = path.read_text(encoding="utf-8")
        lines = len(text.splitlines())
        if lines > MAX_MODULE_LINES:
            still_long.add(name)
            if name not in MODULE_EXEMPT:
                found.append(f"{name}: module is {lines} lines (limit {MAX_MODULE_LINES})")
        for function, line, length in _functions(ast.parse(text, name)):
            if length > MAX_FUNCTION_LINES:
                still_long.add(name)
                if name not in FUNCTION_EXEMPT:
                    found.append(
                        f"{name}:{line}: function {function} is {length} lines "
                        f"(limit {MAX_FUNCTION_LINES})"
                    )
    for name in sorted((MODULE_EXEMPT | FUNCTION_EXEMPT) - still_long):
        found.append(f"{name}: fits the limits now; take it off the list in .ci/sizes.py")
    return found


if __name__ == "__main__":
    breaches = problems(Path(__file__).resolve().parent.parent)
    print("\n".join(breaches), file=sys.stderr)
    sys.exit(1 if breaches else 0)
