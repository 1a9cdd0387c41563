"""The migrations read in order from their folder: each file is named after its revision id
(`<id>.py` or `<id>_<words>.py`), and the revisions form one unbroken line from the first to
the head — no gap, no branch, no merge. Read from the files' text, nothing imported."""

from __future__ import annotations

import ast
from pathlib import Path

VERSIONS = Path(__file__).resolve().parents[2] / "bot" / "migrations" / "versions"
Revisions = dict[str, tuple[str, object]]  # file name → (revision, down_revision)


def declared(source: str) -> tuple[str, object]:
    """A migration's `revision` and `down_revision`, as its module assigns them."""
    values = {
        target.id: ast.literal_eval(node.value)
        for node in ast.parse(source).body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name) and target.id in ("revision", "down_revision")
    }
    return values["revision"], values.get("down_revision")


def misnamed(revisions: Revisions) -> list[str]:
    """Files whose name is not their revision id, alone or followed by `_` and words; the id
    must be the longest one the name starts with (`0009_lead_x.py` is not revision `0009`)."""
    ids = {revision for revision, _down in revisions.values()}
    problems = []
    for name, (revision, _down) in sorted(revisions.items()):
        stem = name.removesuffix(".py")
        named = max((i for i in ids if stem == i or stem.startswith(f"{i}_")), key=len, default="")
        if named != revision:
            problems.append(f"{name} holds revision {revision!r}")
    return problems


def chain_problems(revisions: Revisions) -> list[str]:
    """What keeps the revisions from being one line: a repeated id, a merge, a revision whose
    parent is missing (a gap), two children of one parent (a branch), not exactly one root,
    revisions the line from the root never reaches (a loop)."""
    problems = []
    parents: dict[str, object] = {}
    for name, (revision, down) in sorted(revisions.items()):
        if revision in parents:
            problems.append(f"revision {revision!r} is declared twice ({name})")
        if not (down is None or isinstance(down, str)):
            problems.append(f"{name} merges {down!r}")
        parents[revision] = down
    roots = sorted(r for r, down in parents.items() if down is None)
    if len(roots) != 1:
        problems.append(f"{len(roots)} first revisions: {roots}")
    children: dict[str, list[str]] = {}
    for revision, down in parents.items():
        if isinstance(down, str):
            children.setdefault(down, []).append(revision)
            if down not in parents:
                problems.append(f"{revision!r} follows {down!r}, which no file holds")
    problems += [
        f"{parent!r} is followed by {sorted(kids)}"
        for parent, kids in sorted(children.items())
        if len(kids) > 1
    ]
    reached, frontier = set(roots), list(roots)
    while frontier:
        for kid in children.get(frontier.pop(), []):
            if kid not in reached:
                reached.add(kid)
                frontier.append(kid)
    if unreached := sorted(set(parents) - reached):
        problems.append(f"never reached from the first: {unreached}")
    return problems


def stored() -> Revisions:
    return {path.name: declared(path.read_text(encoding="utf-8")) for path in VERSIONS.glob("*.py")}


def test_every_migration_file_is_named_after_its_revision() -> None:
    assert misnamed(stored()) == []


def test_the_migrations_are_one_line_from_the_first_to_the_head() -> None:
    revisions = stored()
    assert chain_problems(revisions) == []
    assert len(revisions) >= 26  # the folder was read


def test_a_name_that_disagrees_with_its_revision_is_named() -> None:
    revisions: Revisions = {
        "0001_first.py": ("0001", None),
        "0009_lead_promises.py": ("0009_lead", "0001"),
        "0010_law_governing.py": ("0009_law", "0009_lead"),  # the old numbering
        "0009_lead_again.py": ("0009", "0009_law"),  # starts with a longer id than its own
        "0011.py": ("0011", "0009"),
        "0012x.py": ("0012", "0011"),  # no `_` after the id
    }
    assert misnamed(revisions) == [
        "0009_lead_again.py holds revision '0009'",
        "0010_law_governing.py holds revision '0009_law'",
        "0012x.py holds revision '0012'",
    ]


def test_a_gap_a_branch_a_merge_and_two_roots_are_named() -> None:
    revisions: Revisions = {
        "0001.py": ("0001", None),
        "0002.py": ("0002", "0001"),
        "0002_other.py": ("0002_other", "0001"),
        "0004.py": ("0004", "0003"),
        "0005.py": ("0005", ("0002", "0002_other")),
        "0006.py": ("0006", None),
    }
    assert chain_problems(revisions) == [
        "0005.py merges ('0002', '0002_other')",
        "2 first revisions: ['0001', '0006']",
        "'0004' follows '0003', which no file holds",
        "'0001' is followed by ['0002', '0002_other']",
        "never reached from the first: ['0004', '0005']",
    ]


def test_a_loop_beside_the_line_is_named() -> None:
    revisions: Revisions = {
        "0001.py": ("0001", None),
        "0002.py": ("0002", "0003"),
        "0003.py": ("0003", "0002"),
    }
    assert chain_problems(revisions) == ["never reached from the first: ['0002', '0003']"]


def test_the_declarations_are_read_from_the_text() -> None:
    source = 'revision = "0020_links"\ndown_revision = "0018_scale"\nbranch_labels = None\n'
    assert declared(source) == ("0020_links", "0018_scale")
