"""Layers point one way: the import-linter contracts in pyproject.toml hold, and can fail.

``lint-imports`` reads ``[tool.importlinter]`` from pyproject.toml. The contracts are proved
able to fail on a throwaway package with the same layers and the same contracts, into
which one wrong import at a time is planted. Beside them: importing the headless layers
(services, workflow, store) loads no textual.
"""

from __future__ import annotations

import os
import pkgutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import kindroute

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(cwd: Path, config: Path | None = None,
                 pythonpath: Path | None = None) -> subprocess.CompletedProcess:
    cmd = [str(LINT_IMPORTS), "--no-cache"] + (["--config", str(config)] if config else [])
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = f"{pythonpath}{os.pathsep}{env.get('PYTHONPATH', '')}"
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def contracts() -> list[dict]:
    with (ROOT / "pyproject.toml").open("rb") as fh:
        return tomllib.load(fh)["tool"]["importlinter"]["contracts"]


def test_the_layer_contracts_hold():
    out = lint_imports(ROOT)
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"Contracts: {len(contracts())} kept, 0 broken." in out.stdout


def test_workflow_may_import_no_other_part_of_kindroute():
    """The workflow contract names every top-level part of kindroute but workflow and errors,
    so a new layer (say ``kindroute.bootstrap``) cannot slip past it."""
    (workflow,) = [c for c in contracts() if c["id"] == "workflow-alone"]
    parts = {f"kindroute.{m.name}" for m in pkgutil.iter_modules(kindroute.__path__)}
    named = {m for m in workflow["forbidden_modules"] if m.startswith("kindroute.")}
    assert named == parts - {"kindroute.workflow", "kindroute.errors"}
    assert {"textual", "sqlalchemy"} <= set(workflow["forbidden_modules"])


# --------------------------------------------------------------------------- the contracts can fail

LAYERS = ("workflow", "errors", "store", "services", "screens", "widgets", "cli", "app", "config", "demo",
          "bootstrap", "keymap", "demo_plan", "demo_swv", "__main__")


def throwaway_project(tmp_path: Path, wrong: tuple[str, str] | None) -> Path:
    """A package ``layered`` with kindroute's parts, each importing only what it may; ``wrong`` adds
    one import (module, imported module). Returns the config: kindroute's contracts, renamed."""
    pkg = tmp_path / "layered"
    allowed = {  # one legal import per layer, so the graph is not trivially empty
        "workflow": "import layered.errors\n",
        "store": "import sqlalchemy\nimport layered.workflow\n",
        "services": "import layered.store\nimport layered.workflow\n",
        "screens": "import textual\nimport layered.services\n",
        "widgets": "import textual\nimport layered.services\n",
        "cli": "import layered.services\nimport layered.bootstrap\n",
        "bootstrap": "import layered.store\nimport layered.services\n",
        "app": "import layered.screens\n",
    }
    for layer in LAYERS:
        if layer == "__main__":
            (pkg / "__main__.py").write_text("import layered.cli\n")
            continue
        (pkg / layer).mkdir(parents=True)
        (pkg / layer / "__init__.py").write_text(allowed.get(layer, ""))
    (pkg / "__init__.py").write_text("")
    if wrong is not None:
        module, imported = wrong
        path = pkg / module.replace(".", "/") / "__init__.py"
        path.write_text(path.read_text() + f"\ndef later():\n    import {imported}\n")
    lines = ["[tool.importlinter]", 'root_packages = ["layered"]', "include_external_packages = true", ""]
    for c in contracts():
        lines.append("[[tool.importlinter.contracts]]")
        for key, value in c.items():
            if key == "ignore_imports":
                continue
            if isinstance(value, str):
                value = value.replace("kindroute", "layered")
            elif isinstance(value, list):
                value = [v.replace("kindroute", "layered") for v in value]
            lines.append(f"{key} = {toml_value(value)}")
        lines.append("")
    config = tmp_path / "contracts.toml"
    config.write_text("\n".join(lines))
    return config


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def test_the_throwaway_project_keeps_every_contract(tmp_path):
    config = throwaway_project(tmp_path, None)
    out = lint_imports(tmp_path, config, tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"Contracts: {len(contracts())} kept, 0 broken." in out.stdout


@pytest.mark.parametrize(("wrong", "broken"), [
    (("workflow", "layered.store"), "workflow-alone"),
    (("workflow", "layered.services"), "workflow-alone"),
    (("workflow", "textual"), "workflow-alone"),
    (("workflow", "sqlalchemy"), "workflow-alone"),
    (("store", "layered.services"), "store-below-services"),
    (("store", "layered.cli"), "store-below-services"),
    (("screens", "layered.store"), "faces-through-services"),
    (("screens", "layered.bootstrap"), "faces-through-services"),
    (("widgets", "layered.store"), "faces-through-services"),
    (("cli", "layered.store"), "cli-through-services"),
    (("cli", "layered.screens"), "cli-through-services"),
])
def test_a_wrong_import_breaks_its_contract(tmp_path, wrong, broken):
    config = throwaway_project(tmp_path, wrong)
    out = lint_imports(tmp_path, config, tmp_path)
    assert out.returncode == 1, out.stdout + out.stderr
    (name,) = [c["name"] for c in contracts() if c["id"] == broken]
    assert "Contracts: " in out.stdout and "1 broken." in out.stdout, out.stdout
    module, imported = wrong
    assert f"layered.{module} -> {imported}" in out.stdout, out.stdout
    assert " ".join(name.split()[:3]) in out.stdout


# --------------------------------------------------------------------------- headless imports


def loaded_after_import(module: str) -> set[str]:
    """Top-level packages in sys.modules after importing ``module`` in a fresh interpreter."""
    code = (f"import importlib, sys; importlib.import_module({module!r}); "
            "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return set(out.stdout.split())


@pytest.mark.parametrize("module", ["kindroute.services", "kindroute.services.core", "kindroute.workflow",
                                    "kindroute.store", "kindroute.store.db", "kindroute.demo"])
def test_headless_layers_load_no_textual(module):
    assert "textual" not in loaded_after_import(module)


def test_workflow_loads_no_sqlalchemy():
    assert "sqlalchemy" not in loaded_after_import("kindroute.workflow")


def test_the_hygiene_check_sees_textual_where_it_is_loaded():
    assert "textual" in loaded_after_import("kindroute.widgets.case_list")
