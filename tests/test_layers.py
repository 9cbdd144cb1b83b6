"""The layer contract (docs/architecture.md), checked on the source of every module.

Every import counts, at the top of a module or inside a function: a late import
is still a dependency. The test reads the code with ``ast``; nothing is imported.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAR = ROOT / "par"

# package → the par packages it may import (besides itself). settings is the floor.
ALLOWED = {
    "settings": set(),
    "i18n": {"settings"},
    "domain": {"i18n", "settings"},
    "engine": {"domain"},
    "read": {"domain", "engine", "i18n", "settings"},
    "store": {"domain", "engine", "read", "i18n", "settings"},
    "analysis": {"domain", "engine", "i18n"},
    "decide": {"domain", "engine", "analysis", "i18n"},
    "present": {"domain", "engine", "analysis", "decide", "i18n"},
    "export": {"domain", "engine", "read", "analysis", "decide", "present", "i18n", "settings"},
    "sample": {"domain", "engine", "read", "store", "i18n", "settings"},
    "cli": {"domain", "engine", "read", "store", "analysis", "decide", "present", "export",
            "sample", "i18n", "settings"},
    "app": {"domain", "engine", "read", "store", "analysis", "decide", "present", "export",
            "sample", "i18n", "settings"},
}
FACADE = {"par", "par.__main__"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[str, list[str], int]]:
    """(imported module, names taken from it, line) for every import in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(alias.name, [], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.module, [a.name for a in node.names], node.lineno))
    return out


def _par_target(module: str, names: list[str], known: set[str]) -> list[str]:
    """The par modules an import statement reaches (``from par.x import y`` may name a module)."""
    if not (module == "par" or module.startswith("par.")):
        return []
    targets = [f"{module}.{n}" for n in names if f"{module}.{n}" in known]
    return targets or [module]


MODULES = {_module_name(p): p for p in sorted(PAR.rglob("*.py"))}


def _package(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        graph[name] = set()
        for module, names, _ in _imports(path):
            graph[name].update(t for t in _par_target(module, names, set(MODULES))
                               if t in MODULES and t != name)
    return graph


def test_every_package_is_in_the_contract():
    packages = {_package(m) for m in MODULES} - {None, "__main__"}
    assert packages == set(ALLOWED), packages ^ set(ALLOWED)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_module_imports_only_lower_layers(name):
    if name in FACADE:
        return
    own = _package(name)
    bad = []
    for module, names, line in _imports(MODULES[name]):
        for target in _par_target(module, names, set(MODULES)):
            other = _package(target)
            if other is None or other == own:
                continue
            if other not in ALLOWED[own]:
                bad.append(f"line {line}: {own} may not import {target}")
    assert not bad, bad


@pytest.mark.parametrize("name", sorted(MODULES))
def test_only_the_app_imports_streamlit(name):
    if _package(name) == "app":
        return
    found = [line for module, _, line in _imports(MODULES[name])
             if module == "streamlit" or module.startswith("streamlit.")]
    assert not found, f"{name} imports streamlit at lines {found}"


def test_the_app_package_init_does_not_import_streamlit():
    assert not [m for m, _, _ in _imports(PAR / "app" / "__init__.py") if "streamlit" in m]


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_private_name_crosses_a_module(name):
    bad = [f"line {line}: {module}.{n}" for module, names, line in _imports(MODULES[name])
           if module.startswith("par") for n in names
           if n.startswith("_") and f"{module}.{n}" not in MODULES]
    assert not bad, bad


def test_no_import_circle():
    graph = _graph()
    cycles, state = [], {}

    def visit(node, stack):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [])
    # a package __init__ that re-exports its own modules is not a circle of design
    real = [c for c in cycles if not any(a in FACADE or b.startswith(a + ".")
                                         for a, b in zip(c, c[1:]))]
    assert not real, real


def test_the_contract_test_can_fail(tmp_path):
    """The checker itself sees a forbidden edge (so a green run means something)."""
    bad = tmp_path / "mod.py"
    bad.write_text("from par.store.storage import Store\nimport streamlit\n"
                   "from par.engine.scoring import _private\n", encoding="utf-8")
    found = _imports(bad)
    assert ("par.store.storage", ["Store"], 1) in found
    assert any(m == "streamlit" for m, _, _ in found)
    assert "store" not in ALLOWED["engine"] and "store" not in ALLOWED["read"]


def test_outside_par_only_dashboard_and_tests_use_the_app():
    """Scripts and benchmarks are library users: they never reach into par.app or par.cli."""
    for path in list((ROOT / "scripts").glob("*.py")):
        assert not [m for m, _, _ in _imports(path) if m.startswith(("par.app", "par.cli"))], path
