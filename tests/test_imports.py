"""The package's import graph has no cycle: data flows one way through the pipeline.

Every module under generator/ is parsed (not imported), and every import of
a ``gitdesk`` module counts, function-level ones included: an import hidden
inside a function is still a cycle, only a later one. Imports under
``if TYPE_CHECKING:`` do not run and do not count.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = "gitdesk"
ROOT = Path(__file__).parents[1] / "generator"


def module_names(root: Path) -> dict[str, Path]:
    """Every module of the package by its import name (``generator/site/__init__.py`` is ``gitdesk.site``)."""
    names = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join([PACKAGE, *parts])] = path
    return names


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imported(tree: ast.AST, name: str, is_package: bool, modules: set[str]) -> set[str]:
    """The package modules that running ``tree`` (module ``name``) imports, at any depth but TYPE_CHECKING blocks."""
    found: set[str] = set()
    pending: list[ast.AST] = [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.If) and _type_checking_only(node):
            pending.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = name.split(".")
                anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
                base = ".".join(anchor + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            # `from gitdesk.site import pages` imports the module gitdesk.site.pages; `... import Bundle` only gitdesk.site
            found.update(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names)
        pending.extend(ast.iter_child_nodes(node))
    return {target for target in found if target in modules and target != name}


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """Module -> the package modules it imports."""
    names = module_names(root)
    return {name: _imported(ast.parse(path.read_text(encoding="utf-8")), name, path.name == "__init__.py", set(names))
            for name, path in names.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as a path that returns to its start (``[a, b, a]``), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return path[path.index(target):] + [target]
            if target not in state:
                cycle = visit(target)
                if cycle:
                    return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            cycle = visit(start)
            if cycle:
                return cycle
    return None


def test_the_package_import_graph_has_no_cycle() -> None:
    graph = import_graph()
    assert "gitdesk.pipeline" in graph and "gitdesk.adapters.mkdocs_plugin" in graph
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_plugin_and_the_commands_depend_on_the_pipeline_not_the_other_way() -> None:
    graph = import_graph()
    assert "gitdesk.pipeline" in graph["gitdesk.adapters.mkdocs_plugin"]
    assert "gitdesk.adapters.mkdocs_plugin" in graph["gitdesk.adapters.mkdocs_build"]
    assert not any(name.startswith(("gitdesk.adapters", "gitdesk.commands", "gitdesk.cli")) for name in graph["gitdesk.pipeline"])
    assert not any(name.startswith(("gitdesk.commands", "gitdesk.cli")) for name in graph["gitdesk.adapters.mkdocs_plugin"])


def test_the_checker_sees_function_level_imports_and_skips_type_checking_blocks(tmp_path: Path) -> None:
    # The same parser on a tiny package with a cycle hidden in a function, and one under TYPE_CHECKING.
    (tmp_path / "__init__.py").write_text("")
    (tmp_path / "a.py").write_text("from gitdesk import b\n")
    (tmp_path / "b.py").write_text("def f():\n    from gitdesk.c import thing\n")
    (tmp_path / "c.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from gitdesk import a\n")
    graph = import_graph(tmp_path)
    assert find_cycle(graph) is None
    (tmp_path / "c.py").write_text("def g():\n    from . import a\n")
    assert find_cycle(import_graph(tmp_path)) == ["gitdesk.a", "gitdesk.b", "gitdesk.c", "gitdesk.a"]


#: What each stage may import (docs/architecture.md has the same table, with each stage's one job).
#: Data flows one way: load -> history -> sla -> site -> pipeline -> adapters -> commands -> cli.
MAY_IMPORT: dict[str, set[str]] = {
    "errors": set(),
    "parallel": set(),
    "model": {"errors"},
    "clock": {"errors", "model"},
    "load": {"errors", "model", "parallel"},
    "config": {"errors", "load", "model"},
    "history": {"config", "errors", "load", "model"},
    "sla": {"config", "errors", "history", "load", "model"},
    "validate": {"config", "docs_dir", "errors", "history", "load", "model", "sla"},
    "report": {"model"},
    "site": {"config", "errors", "history", "model", "parallel", "sla"},
    "notify": {"clock", "config", "errors", "history", "load", "model", "site", "sla"},
    "pipeline": {"config", "errors", "history", "load", "model", "site", "sla"},
    "adapters": {"clock", "config", "docs_dir", "errors", "history", "load", "model", "parallel", "pipeline", "report", "site",
                 "sla", "validate", "workflow"},
    "docs_dir": {"errors"},
    "doctor": {"adapters", "config", "docs_dir", "errors", "history", "load", "model"},
    "workflow": {"config", "errors", "history", "load", "model"},
    "importers": {"config", "errors", "history", "load", "model", "workflow"},
    "demo": {"config", "errors", "history", "load", "model", "sla", "workflow", "pipeline"},
}


def _stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else PACKAGE


def test_each_stage_imports_only_the_stages_before_it() -> None:
    graph = import_graph()
    stages = {_stage(m) for m in graph} - {PACKAGE, "cli", "__main__", "commands"}
    assert stages <= set(MAY_IMPORT), f"a new stage needs a row in MAY_IMPORT (and docs/architecture.md): {stages - set(MAY_IMPORT)}"
    wrong = sorted(f"{source} imports {target}" for source, targets in graph.items() for target in targets
                   if _stage(source) in MAY_IMPORT and _stage(target) != _stage(source)
                   and _stage(target) not in MAY_IMPORT[_stage(source)])
    assert wrong == [], "imports against the pipeline's direction:\n" + "\n".join(wrong)


def test_the_cli_layer_is_imported_by_no_stage() -> None:
    graph = import_graph()
    wrong = sorted(f"{source} imports {target}" for source, targets in graph.items() for target in targets
                   if _stage(source) in MAY_IMPORT and _stage(target) in {"cli", "commands"})
    assert wrong == []
