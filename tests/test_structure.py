"""The code's layout stays walkable: small files, no import cycle, kernels that never see the model."""

from __future__ import annotations

import ast
from pathlib import Path

SIM = Path(__file__).resolve().parent.parent / "sim"
KERNELS = ("strength", "tactics", "plan", "combat", "orders", "situation", "deployment")
LAYERS = ("scenario", "world", "model", "run", "analysis")


def _module(path: Path) -> str:
    parts = path.relative_to(SIM.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _runtime_imports(path: Path) -> set[str]:
    """Modules of `sim` imported when the file runs (imports under `if TYPE_CHECKING:` excluded)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = {
        id(node)
        for top in ast.walk(tree)
        if isinstance(top, ast.If) and "TYPE_CHECKING" in ast.unparse(top.test)
        for node in ast.walk(top)
    }
    found = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("sim"):
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("sim"))
    return found


def _graph() -> dict[str, set[str]]:
    files = {_module(p): p for p in SIM.rglob("*.py")}
    return {m: {i for i in _runtime_imports(p) if i in files and i != m} for m, p in files.items()}


def test_no_file_in_the_package_is_over_400_lines():
    long = {
        str(p.relative_to(SIM)): n for p in SIM.rglob("*.py") if (n := len(p.read_text().splitlines())) > 400
    }
    assert not long


def test_no_import_cycle():
    graph = _graph()
    state: dict[str, int] = {}

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for n in sorted(graph[m]):
            if n.startswith(m + "."):  # a package importing its own submodule is not a cycle
                continue
            assert state.get(n) != 1, "import cycle: " + " -> ".join([*path, m, n])
            if n not in state:
                visit(n, [*path, m])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [])


def test_kernels_never_import_the_model():
    graph = _graph()
    for name in KERNELS:
        assert "sim.model.model" not in graph[f"sim.model.{name}"], name
        assert "sim.model.agents" not in graph[f"sim.model.{name}"], name


def test_layers_only_look_upstream():
    """Data flows scenario/world -> model -> run -> analysis -> cli; nothing reaches back."""
    order = {"world": 0, "scenario": 0, "model": 1, "run": 2, "analysis": 3}
    for m, imports in _graph().items():
        layer = m.split(".")[1] if m.count(".") else None
        if layer not in order:
            continue
        for i in imports:
            other = i.split(".")[1] if "." in i else None
            if other in order:
                assert order[other] <= order[layer], f"{m} imports {i}"
