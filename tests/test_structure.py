"""Layering: the engine and the grammar know nothing of modes or shells; every module imports alone."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "vstackcli"
MODULES = sorted(
    ".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts)
    for p in PACKAGE.rglob("*.py") if p.name not in ("__main__.py",)
)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


@pytest.mark.parametrize("layer", ["engine", "grammar", "net"])
def test_lower_layers_do_not_import_upper_ones(layer: str) -> None:
    for path in (PACKAGE / layer).glob("*.py"):
        bad = {m for m in _imports(path) if m.startswith(("vstackcli.modes", "vstackcli.shell", "prompt_toolkit"))}
        assert not bad, f"{path.name} imports {bad}"


def test_every_module_imports_alone() -> None:
    code = "import importlib, sys\nfor m in sys.argv[1:]:\n    importlib.import_module(m)\n"
    for module in MODULES:
        result = subprocess.run([sys.executable, "-c", code, module], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, f"{module}: {result.stderr[-500:]}"
