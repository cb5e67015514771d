"""Migrations are frozen: none imports live kindroute code, which may change after it shipped."""

from __future__ import annotations

import ast
from pathlib import Path

import kindroute.store

VERSIONS = Path(kindroute.store.__file__).parent / "migrations" / "versions"


def kindroute_imports(source: str) -> list[str]:
    """Every module a source imports from kindroute (module level or inside functions)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] == "kindroute"]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] == "kindroute":
                found.append(node.module)
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            found.append("." * node.level + (node.module or ""))  # relative: inside kindroute
    return found


def test_the_check_sees_an_import_of_live_code():
    source = "def upgrade():\n    from kindroute.services.text import name_words\nimport kindroute.errors\n"
    assert sorted(kindroute_imports(source)) == ["kindroute.errors", "kindroute.services.text"]
    assert kindroute_imports("from . import x\n") == ["."]
    assert kindroute_imports("import sqlalchemy as sa\nfrom alembic import op\n") == []


def test_no_migration_imports_kindroute():
    files = sorted(VERSIONS.glob("*.py"))
    assert len(files) >= 2
    offenders = {f.name: kindroute_imports(f.read_text(encoding="utf-8")) for f in files}
    assert {name: mods for name, mods in offenders.items() if mods} == {}
