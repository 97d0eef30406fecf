"""The rules of the house that a tool can check (CONTRIBUTING.md, "The skeleton").

import-linter (`make lint-imports`, in .ci/run) checks the layers, the independence of
attendance and the economy, that jinhu.core imports no app, that the pure cores import
no Django, and a forbidden list per app. These tests add what it has no contract for:
no import cycle anywhere, the same rooms in every app, "other apps read an app only
through its selectors" for any module added later, and "only services write".
"""

from __future__ import annotations

import ast
import pathlib
import sys

import grimp
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
APPS = (
    "villages",
    "attendance",
    "collective_economy",
    "demonstration_belt",
    "operations",
    "notifications",
)
PACKAGES = (*APPS, "jinhu")
#: what an app publishes to the others
PUBLIC = ("selectors", "rules")
#: the rooms every app has (CONTRIBUTING.md)
ROOMS = ("core", "models", "services", "views", "selectors.py", "rules.py", "admin.py")
ROOMS += ("tasks.py", "urls.py", "apps.py")


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    sys.path.insert(0, str(ROOT))
    return grimp.build_graph(*PACKAGES, exclude_type_checking_imports=True, cache_dir=None)


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    edges = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(edges[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_import_graph_has_no_cycle(graph):
    # Imports inside functions count too: a lazy import that breaks a cycle at run time
    # is still a cycle in the design.
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    fake = grimp.ImportGraph()
    for module in ("p", "p.a", "p.b", "p.c"):
        fake.add_module(module)
    fake.add_import(importer="p.a", imported="p.b")
    fake.add_import(importer="p.b", imported="p.a")
    fake.add_import(importer="p.b", imported="p.c")
    assert _cycles(fake) == [["p.a", "p.b"]]


@pytest.mark.parametrize("app", APPS)
def test_every_app_has_the_same_rooms(app):
    present = {p.name for p in (ROOT / app).iterdir()}
    assert [room for room in ROOMS if room not in present] == []
    for package in ("core", "models", "services", "views"):
        assert (ROOT / app / package / "__init__.py").exists()


def _app_of(module: str) -> str | None:
    top = module.split(".")[0]
    return top if top in APPS else None


def test_other_apps_read_an_app_only_through_its_selectors(graph):
    wrong = []
    for importer in sorted(graph.modules):
        source = _app_of(importer) or importer.split(".")[0]
        for imported in graph.find_modules_directly_imported_by(importer):
            target = _app_of(imported)
            if target is None or target == source:
                continue
            if imported in {f"{target}.{name}" for name in PUBLIC}:
                continue
            # The project's URLconf mounts every app's URLs and pages.
            if importer == "jinhu.urls" and imported.split(".")[1] in ("urls", "views"):
                continue
            wrong.append(f"{importer} -> {imported}")
    assert wrong == []


WRITES = ("save", "create", "update", "delete", "bulk_create", "bulk_update")
WRITES += ("get_or_create", "update_or_create")


def _writes_in(path: pathlib.Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        call = isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
        if call and node.func.attr in WRITES:
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} .{node.func.attr}()")
    return found


def test_only_services_write():
    """Pages, device endpoints and read APIs hand every write to a service."""
    readers = [ROOT / "jinhu" / "views.py"]
    for app in APPS:
        readers += [ROOT / app / "selectors.py", *(ROOT / app / "views").glob("*.py")]
    readers += list((ROOT / "attendance" / "endpoints").glob("*.py"))
    found = [hit for path in readers for hit in _writes_in(path)]
    assert found == []


def test_the_write_check_sees_a_write(tmp_path):
    (tmp_path / "x.py").write_text("def f(m):\n    m.objects.filter(pk=1).update(a=1)\n")
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        assert _writes_in(tmp_path / "x.py") == ["x.py:2 .update()"]
    finally:
        ROOT = saved
