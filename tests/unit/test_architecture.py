"""The layering of DESIGN.md §3, checked on the source (pure: ast only, no Django).

* ``paperless.core`` is pure: it imports neither Django nor the rest of ``paperless``;
* only the read layer and the modules that write touch the ORM (``ORM_ALLOWED``);
* the read layer imports no page, alert, view, importer or access module;
* no import cycle between ``paperless`` modules.

Each checker is a plain function of module names and source text, and each is shown
to fail on a small synthetic violation before it is run on the real package.
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "paperless"
CORE = "paperless.core"
READS = "paperless.reads"

# Modules (or packages, with everything under them) that may use the ORM, and why.
ORM_ALLOWED = {
    "paperless.reads": "the read layer: every query that feeds a page, e-mail or import",
    "paperless.models": "the models, their managers and policy lookups",
    "paperless.data_version": "raises the data version with every change (writes)",
    "paperless.admin": "the Django admin",
    "paperless.migrations": "schema and data migrations",
    "paperless.importing.counts.commit": "counts commit (writes)",
    "paperless.importing.counts.service": "upload rows (writes)",
    "paperless.importing.counts.states": "upload state transitions (writes)",
    "paperless.importing.master.org": "org import commit (writes)",
    "paperless.importing.master.org_links": "predecessor links of the org import (writes)",
    "paperless.importing.master.devices": "device register import commit (writes)",
    "paperless.importing.meters.service": "stores the new meter readings (writes)",
    "paperless.alerts.delivery": "claims delivery rows (writes)",
    "paperless.demo": "the demo organisation and seed (writes)",
}
READS_MAY_NOT_IMPORT = (
    "paperless.dashboard",
    "paperless.alerts",
    "paperless.views",
    "paperless.importing",
    "paperless.access",
)


# --- reading the package -------------------------------------------------------------


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_sources(root: Path = ROOT) -> dict[str, str]:
    """Every module of the ``paperless`` package: dotted name → source."""
    paths = sorted((root / PACKAGE).rglob("*.py"))
    return {module_name(p, root): p.read_text(encoding="utf-8") for p in paths}


def within(module: str, prefix: str) -> bool:
    """Is ``module`` the module or package ``prefix``, or inside it?"""
    return module == prefix or module.startswith(prefix + ".")


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _module_level(statements: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    """Imports run when the module is imported: not in functions, not under TYPE_CHECKING."""
    for node in statements:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If):
            if not _is_type_checking(node.test):
                yield from _module_level(node.body)
            yield from _module_level(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody):
                yield from _module_level(block)
            for handler in node.handlers:
                yield from _module_level(handler.body)
        elif isinstance(node, ast.With | ast.ClassDef):
            yield from _module_level(node.body)


def _base(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    """The module a ``from … import`` names, relative imports resolved."""
    if not node.level:
        return node.module or ""
    package = module.split(".") if is_package else module.split(".")[:-1]
    package = package[: len(package) - (node.level - 1)]
    return ".".join([*package, node.module] if node.module else package)


def imported(
    module: str,
    source: str,
    modules: Collection[str] = frozenset(),
    *,
    module_level: bool = False,
    is_package: bool = False,
) -> list[tuple[int, str]]:
    """(line, module) of each import of ``source``. ``from a import b`` names ``a.b``
    when that is one of ``modules``, else ``a``. ``module_level``: only the imports
    that run when the module is imported."""
    tree = ast.parse(source)
    if module_level:
        nodes: Iterator[ast.AST] = _module_level(tree.body)
    else:
        nodes = (n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom))
    found = []
    for node in nodes:
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
            continue
        base = _base(module, node, is_package)
        for alias in node.names:
            name = f"{base}.{alias.name}"
            found.append((node.lineno, name if name in modules else base))
    return sorted(set(found))


# --- the checks ----------------------------------------------------------------------


def core_violations(module: str, source: str, *, is_package: bool = False) -> list[str]:
    """Imports that make a core module impure: Django, or paperless outside the core."""
    if not within(module, CORE):
        return []
    return [
        f"{module}:{line} imports {name}"
        for line, name in imported(module, source, is_package=is_package)
        if within(name, "django") or (within(name, PACKAGE) and not within(name, CORE))
    ]


def orm_uses(source: str) -> list[tuple[int, str]]:
    """(line, what) of each ``.objects``, ``connection.cursor``, ``.raw(`` and ``RawSQL``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr == "objects":
            found.append((node.lineno, ".objects"))
        elif isinstance(node, ast.Attribute) and node.attr == "cursor" and _is_connection(node):
            found.append((node.lineno, "connection.cursor"))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "raw"
        ):
            found.append((node.lineno, ".raw("))
        elif _names_raw_sql(node):
            found.append((node.lineno, "RawSQL"))
    return sorted(set(found))


def _names_raw_sql(node: ast.AST) -> bool:
    """``RawSQL`` as a name, an attribute or an imported name."""
    if isinstance(node, ast.ImportFrom):
        return any(alias.name == "RawSQL" for alias in node.names)
    return (isinstance(node, ast.Name) and node.id == "RawSQL") or (
        isinstance(node, ast.Attribute) and node.attr == "RawSQL"
    )


def _is_connection(node: ast.Attribute) -> bool:
    """``connection.cursor``, ``x.connection.cursor`` or ``connections[alias].cursor``."""
    value = node.value
    if isinstance(value, ast.Subscript):
        value = value.value
    name = value.id if isinstance(value, ast.Name) else getattr(value, "attr", "")
    return name in {"connection", "connections"}


def orm_allowed(module: str, allowed: Mapping[str, str] = ORM_ALLOWED) -> bool:
    return any(within(module, prefix) for prefix in allowed)


def orm_violations(module: str, source: str, allowed: Mapping[str, str] = ORM_ALLOWED) -> list[str]:
    """ORM use in a module outside the allow-list."""
    if orm_allowed(module, allowed):
        return []
    return [f"{module}:{line} uses {what}" for line, what in orm_uses(source)]


def reads_violations(module: str, source: str, *, is_package: bool = False) -> list[str]:
    """Imports that would make the read layer depend on a layer above it."""
    if not within(module, READS):
        return []
    return [
        f"{module}:{line} imports {name}"
        for line, name in imported(module, source, is_package=is_package)
        if any(within(name, layer) for layer in READS_MAY_NOT_IMPORT)
    ]


def import_graph(
    sources: Mapping[str, str], packages: frozenset[str] = frozenset()
) -> dict[str, set[str]]:
    """Module → the package modules it imports when it is imported."""
    graph: dict[str, set[str]] = {}
    for module, source in sources.items():
        names = imported(module, source, sources, module_level=True, is_package=module in packages)
        graph[module] = {name for _line, name in names if name in sources and name != module}
    return graph


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """The import cycles: strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def package_names(root: Path = ROOT) -> frozenset[str]:
    return frozenset(module_name(p, root) for p in (root / PACKAGE).rglob("__init__.py"))


# --- each check fails on a violation ---------------------------------------------------


def test_core_check_finds_django_and_the_rest_of_paperless():
    assert core_violations("paperless.core.x", "import django.db\n") == [
        "paperless.core.x:1 imports django.db"
    ]
    assert core_violations("paperless.core.x", "def f():\n    from django.conf import settings\n")
    assert core_violations("paperless.core.x", "from paperless.reads import frames\n")
    assert core_violations("paperless.core.x", "from paperless import models\n")
    assert core_violations("paperless.core.x", "from .. import models\n")
    assert core_violations("paperless.core", "from ..reads import frames\n", is_package=True)
    assert not core_violations("paperless.core", "from . import fiscal\n", is_package=True)
    assert not core_violations(
        "paperless.core.x", "import pandas\nfrom paperless.core import fiscal\n"
    )
    assert not core_violations("paperless.reads.x", "import django\n")


def test_orm_check_finds_managers_cursors_raw_sql_outside_the_allow_list():
    source = (
        "from django.db import connection\n"
        "from django.db.models.expressions import RawSQL\n"
        "rows = Unit.objects.filter(code='1')\n"
        "with connection.cursor() as cursor:\n"
        "    pass\n"
        "found = Unit.objects.raw('SELECT 1')\n"
        "other = connections['default'].cursor()\n"
    )
    assert orm_violations("paperless.views.x", source) == [
        "paperless.views.x:2 uses RawSQL",
        "paperless.views.x:3 uses .objects",
        "paperless.views.x:4 uses connection.cursor",
        "paperless.views.x:6 uses .objects",
        "paperless.views.x:6 uses .raw(",
        "paperless.views.x:7 uses connection.cursor",
    ]
    assert orm_violations("paperless.readsx", source)  # a prefix, not a package
    assert not orm_violations("paperless.reads.x", source)
    assert not orm_violations("paperless.demo.seed", source)
    assert not orm_violations("paperless.views.x", "rows = frame.filter(items=['a'])\n")


def test_reads_check_finds_imports_of_the_layers_above():
    for layer in READS_MAY_NOT_IMPORT:
        assert reads_violations("paperless.reads.x", f"from {layer} import y\n"), layer
        assert reads_violations("paperless.reads.x", f"import {layer}.y\n"), layer
    assert reads_violations("paperless.reads.x", "def f():\n    from paperless.views import v\n")
    assert not reads_violations(
        "paperless.reads.x",
        "from paperless.core import metrics\nfrom paperless.models import Unit\n"
        "from paperless.reads import frames\n",
    )
    assert not reads_violations("paperless.views.x", "from paperless.views import y\n")


def test_cycle_check_follows_module_level_imports_only():
    a_imports_b = {"paperless.a": "from paperless import b\n", "paperless.b": "x = 1\n"}
    assert import_graph(a_imports_b) == {"paperless.a": {"paperless.b"}, "paperless.b": set()}
    cycle = {"paperless.a": "from paperless import b\n", "paperless.b": "import paperless.a\n"}
    assert cycles(import_graph(cycle)) == [["paperless.a", "paperless.b"]]
    longer = {
        "paperless.a": "from paperless.b import f\n",
        "paperless.b": "import paperless.c as c\n",
        "paperless.c": "from paperless.a import g\n",
    }
    assert cycles(import_graph(longer)) == [["paperless.a", "paperless.b", "paperless.c"]]
    typing_only = {
        "paperless.a": "from paperless import b\n",
        "paperless.b": (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from paperless import a\n"
        ),
    }
    assert cycles(import_graph(typing_only)) == []
    in_function = {
        "paperless.a": "from paperless import b\n",
        "paperless.b": "def f():\n    from paperless import a\n",
    }
    assert cycles(import_graph(in_function)) == []


def test_from_import_names_the_module_when_there_is_one():
    sources = {
        "paperless.x": "",
        "paperless.x.y": "from paperless.z import thing\n",
        "paperless.z": "from paperless.x import y, other\n",
    }
    graph = import_graph(sources, packages=frozenset({"paperless.x"}))
    assert graph["paperless.z"] == {"paperless.x.y", "paperless.x"}
    assert cycles(graph) == [["paperless.x.y", "paperless.z"]]
    relative = {"paperless.x": "", "paperless.x.y": "from . import z\n", "paperless.x.z": ""}
    graph = import_graph(relative, packages=frozenset({"paperless.x"}))
    assert graph["paperless.x.y"] == {"paperless.x.z"}


# --- the package as it is ---------------------------------------------------------------


def test_the_core_imports_neither_django_nor_the_rest_of_paperless():
    sources, packages = package_sources(), package_names()
    assert any(within(m, CORE) for m in sources)
    found = [v for m, s in sources.items() for v in core_violations(m, s, is_package=m in packages)]
    assert found == []


def test_only_the_read_layer_and_the_writers_touch_the_orm():
    sources = package_sources()
    assert [v for m, s in sources.items() for v in orm_violations(m, s)] == []
    # Every entry of the allow-list names something that exists.
    assert all(any(within(m, prefix) for m in sources) for prefix in ORM_ALLOWED)


def test_the_read_layer_imports_no_layer_above_it():
    sources, packages = package_sources(), package_names()
    assert any(within(m, READS) for m in sources)
    found = [
        v for m, s in sources.items() for v in reads_violations(m, s, is_package=m in packages)
    ]
    assert found == []


def test_no_import_cycle_between_paperless_modules():
    graph = import_graph(package_sources(), packages=package_names())
    assert sum(len(targets) for targets in graph.values()) > 50
    assert cycles(graph) == []
