"""The package's layout holds: no import cycles, a small web root, apps that import one way.

The import graph is read from the source with ``ast`` (nothing is imported), so a cycle is
found even where Python would happen to get the order right today. A cycle makes a module
depend on the order others are imported in, and it hides which of two modules is the lower
layer; the campaign and events routers once imported the root API that mounted them.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import freedomcities

PACKAGE = Path(freedomcities.__file__).parent
WEB = "freedomcities.web"

WEB_ROOT = {
    "__init__",
    "settings",  # Django's settings ...
    "config",  # ... from this table of names, defaults and help (the CLI reads it too)
    "urls",  # every address
    "wsgi",
    "server",  # the web server and queue worker `freedomcities serve` starts
    "security",  # the server's guards on every response: CSP and the upload limit
    "api",  # mounts each app's API router
    "apitypes",  # what every API router shares: limits, text types, pages, errors
    "errors",  # ActionError, the one refusal every app's actions raise (the CLI catches it)
    "responses",  # CORS for public reads and download names, for every app's views
    "languages",  # the reader's language: middleware, the menu's view, rules in a language
    "seed",  # demo data over every app, and the migrate step the CLI runs
    "launch",  # the CLI's web commands (serve, worker, manage ...), which start Django
}
"""The modules the web package's root may hold; everything else belongs to an app."""

APP_IMPORTS: dict[str, set[str]] = {
    "geography": set(),
    "calendars": set(),
    "formats": set(),
    "pagecache": set(),  # the public data's stamp and whole cached pages; knows no app
    "accounts": set(),
    "jurisdictions": {"accounts", "pagecache"},
    "scorecards": {"accounts", "jurisdictions", "geography", "pagecache"},
    "campaign": {"accounts", "jurisdictions", "scorecards", "calendars", "pagecache"},
    "events": {
        "accounts",
        "jurisdictions",
        "scorecards",
        "campaign",
        "geography",
        "calendars",
        "pagecache",
    },
}
"""Which apps and packages each may import, bottom up: places never import scorecards."""

SHARED = WEB_ROOT - {"api", "urls", "wsgi", "server", "seed", "launch"}
"""Root modules any app may import; the others import the apps."""


@dataclass(frozen=True)
class Imports:
    """Each module's imports of other modules of the package."""

    top: Mapping[str, frozenset[str]]  # run when the module is imported
    deferred: Mapping[str, frozenset[str]]  # inside functions and classes


def _modules(root: Path) -> dict[str, Path]:
    """Every module under ``root``'s parent by its dotted name (a package by its ``__init__``)."""
    found = {}
    for path in root.rglob("*.py"):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _plain_modules(folder: Path) -> dict[str, Path]:
    """The top-level modules of a folder that is not a package, by name."""
    return {path.stem: path for path in folder.glob("*.py")}


def _targets(node: ast.Import | ast.ImportFrom, name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules an import statement loads (``from x import y`` may name either)."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names if alias.name in known}
    base = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    if node.level:
        base = base[: len(base) - node.level + 1]
        source = ".".join([*base, node.module] if node.module else base)
    else:
        source = node.module or ""
    targets = set()
    for alias in node.names:
        if f"{source}.{alias.name}" in known:
            targets.add(f"{source}.{alias.name}")
        elif source in known:
            targets.add(source)
    return targets


def _top_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements run at import: the module's own, and those inside its ``if`` and ``try``."""
    for statement in body:
        if isinstance(statement, ast.If) and "TYPE_CHECKING" in ast.unparse(statement.test):
            continue  # read by type checkers only
        yield statement
        if isinstance(statement, ast.If | ast.Try):
            yield from _top_level(statement.body + statement.orelse)
        if isinstance(statement, ast.Try):
            for handler in statement.handlers:
                yield from _top_level(handler.body)
            yield from _top_level(statement.finalbody)


def _imports(root: Path = PACKAGE) -> Imports:
    """Each module's imports; for a folder of plain modules, name that folder's child."""
    modules = _modules(root) if (root / "__init__.py").exists() else _plain_modules(root)
    known = set(modules)
    top: dict[str, frozenset[str]] = {}
    deferred: dict[str, frozenset[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        at_import = [s for s in _top_level(tree.body) if isinstance(s, ast.Import | ast.ImportFrom)]
        every = [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)]
        top[name] = frozenset(t for s in at_import for t in _targets(s, name, path, known)) - {name}
        later = {t for n in every for t in _targets(n, name, path, known)}
        deferred[name] = frozenset(later - top[name] - {name})
    return Imports(top, deferred)


def cycles(graph: Mapping[str, frozenset[str]]) -> list[frozenset[str]]:
    """The graph's strongly connected components of more than one module (Tarjan's)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[frozenset[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(frozenset(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_cycles_finds_a_loop_and_only_the_loop() -> None:
    graph = {"a": frozenset({"b"}), "b": frozenset({"c"}), "c": frozenset({"a"}), "d": frozenset()}
    assert cycles(graph) == [frozenset({"a", "b", "c"})]
    assert cycles({"a": frozenset({"b"}), "b": frozenset()}) == []


def test_the_reader_sees_relative_and_deferred_imports() -> None:
    imports = _imports()
    assert f"{WEB}.jurisdictions.api" in imports.top[f"{WEB}.scorecards.api"]
    assert f"{WEB}.scorecards.tasks" in imports.deferred[f"{WEB}.server"]
    assert f"{WEB}.scorecards.tasks" in imports.top[f"{WEB}.scorecards.actions"]


def test_no_module_imports_one_that_imports_it_back() -> None:
    """At import time, across the whole package: the library, the CLI and the web app."""
    assert [sorted(cycle) for cycle in cycles(_imports().top)] == []


def test_no_web_module_imports_one_that_imports_it_back_even_inside_a_function() -> None:
    """An import inside a function only puts a cycle off until the function runs.

    The job queue once hid one there: the actions that queue a job imported the
    tasks, which imported the actions they run. Now the queue imports one way:
    actions -> tasks -> analysis, sweep -> jobs -> models.
    """
    imports = _imports()
    web = {
        name: frozenset(t for t in imports.top[name] | imports.deferred[name] if t.startswith(WEB))
        for name in imports.top
        if name.startswith(WEB)
    }
    assert [sorted(cycle) for cycle in cycles(web)] == []


LIBRARY_DEFERRED_CYCLES: dict[frozenset[str], str] = {
    frozenset({"freedomcities.models", "freedomcities.contract"}): "Scorecard.to_dict() and "
    "from_dict() are the contract's front door on the class (issue 16 asked for them there); "
    "their code is contract.py's, which builds the model classes, so the methods import it "
    "when called and models.py stays the plain dataclasses every stage imports.",
}
"""The library's one cycle made by an import inside a function, and why it is allowed."""


def test_no_module_imports_one_that_imports_it_back_even_inside_a_function() -> None:
    """The whole package, rules and render included: each folder imports one way."""
    imports = _imports()
    graph = {name: imports.top[name] | imports.deferred[name] for name in imports.top}
    found = [sorted(c) for c in cycles(graph) if c not in LIBRARY_DEFERRED_CYCLES]
    assert found == []


def test_a_cycle_through_an_import_inside_a_function_is_found(tmp_path: Path) -> None:
    """The reader counts an import in a function body as an edge of the graph."""
    (tmp_path / "a.py").write_text("from b import run\n", encoding="utf-8")
    (tmp_path / "b.py").write_text("def run():\n    from a import x\n", encoding="utf-8")
    imports = _imports(tmp_path)
    assert imports.top["a"] == {"b"} and imports.deferred["b"] == {"a"}
    assert cycles({name: imports.top[name] | imports.deferred[name] for name in imports.top}) == [
        frozenset({"a", "b"})
    ]


def test_the_web_root_holds_only_the_project_and_the_modules_every_app_shares() -> None:
    root = PACKAGE / "web"
    modules = {path.stem for path in root.glob("*.py")}
    assert modules == WEB_ROOT


def test_every_web_package_has_its_place_in_the_layers() -> None:
    packages = {path.parent.name for path in (PACKAGE / "web").glob("*/__init__.py")}
    assert packages == set(APP_IMPORTS)


def test_apps_import_only_the_apps_below_them() -> None:
    imports = _imports()
    wrong = []
    for name in imports.top:
        parts = name.split(".")
        if parts[:2] != ["freedomcities", "web"] or len(parts) < 3 or parts[2] not in APP_IMPORTS:
            continue
        for target in imports.top[name] | imports.deferred[name]:
            other = target.split(".")
            app = other[2] if other[:2] == ["freedomcities", "web"] and len(other) > 2 else None
            if app in SHARED or app in (None, parts[2]):
                continue
            if app not in APP_IMPORTS[parts[2]]:
                wrong.append((name, target))
    assert wrong == []


def test_geography_imports_no_web_framework() -> None:
    """The shapes and ZIP codes are plain Python: any app, the library and a test may use them."""
    for path in (PACKAGE / "web" / "geography").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = [
            name
            for node in ast.walk(tree)
            for name in (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else []
            )
        ]
        assert not [name for name in names if name.split(".")[0] in {"django", "ninja"}], path
