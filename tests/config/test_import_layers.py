"""Each module stands above what it imports: no import cycle among the project's own
modules (imports inside functions count too), and the activity log imports none of the
apps that write to it."""

import ast
import itertools
from pathlib import Path

from django.conf import settings

PACKAGES = ("communities", "profiles", "notifications", "metrics", "config")
APPS_ABOVE_METRICS = ("communities", "profiles", "notifications")
# Judging members and showing participation needs the apps' memberships and their
# visibility rule: these metrics modules stand above the apps, the log and its rollups
# below them.
METRICS_ABOVE_THE_APPS = (
    "metrics.signals",
    "metrics.profile_labels",
    "metrics.tasks",
    "metrics.admin",
    "metrics.dashboards",
    "metrics.api",
    "metrics.views",
    "metrics.urls",
)


def project_modules(root: Path) -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def _imported_names(node: ast.AST, module: str, is_package: bool):
    """The dotted names an import statement loads, with the names it imports from them
    (``from a import b`` loads ``a.b`` when ``b`` is a module)."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield alias.name, ()
    elif isinstance(node, ast.ImportFrom):
        if node.level:
            base = module.split(".") if is_package else module.split(".")[:-1]
            base = base[: len(base) - node.level + 1]
            name = ".".join([*base, node.module] if node.module else base)
        else:
            name = node.module
        yield name, tuple(alias.name for alias in node.names)


def import_graph(modules: dict[str, Path]) -> dict[str, dict[str, int]]:
    """module -> {imported project module: line of the first import}. Importing ``a.b.c``
    also runs the packages ``a`` and ``a.b``, except the importer's own packages (already
    running when its body runs)."""
    graph: dict[str, dict[str, int]] = {}
    for module, path in modules.items():
        own = {".".join(module.split(".")[:i]) for i in range(1, module.count(".") + 2)}
        edges = graph.setdefault(module, {})
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            for name, imported in _imported_names(node, module, path.name == "__init__.py"):
                targets = [name, *(f"{name}.{item}" for item in imported)]
                for target in targets:
                    parts = target.split(".")
                    for depth in range(1, len(parts) + 1):
                        loaded = ".".join(parts[:depth])
                        if loaded in modules and loaded not in own:
                            edges.setdefault(loaded, node.lineno)
    return graph


def import_cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """One cycle (a list of modules, the first repeated at the end) per strongly
    connected group of modules (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph.get(successor, {})))))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.add(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        groups.append(group)
    return [_a_cycle_through(group, graph) for group in groups]


def _a_cycle_through(group: set[str], graph: dict[str, dict[str, int]]) -> list[str]:
    start = min(group)
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for successor in sorted(graph[node]):
            if successor == start:
                return [*paths[node], start]
            if successor in group and successor not in paths:
                paths[successor] = [*paths[node], successor]
                queue.append(successor)
    raise AssertionError(f"no cycle through {sorted(group)}")


def describe(cycle: list[str], graph: dict[str, dict[str, int]]) -> str:
    steps = [
        f"{importer} (line {graph[importer][imported]}) -> {imported}"
        for importer, imported in itertools.pairwise(cycle)
    ]
    return "cycle:\n  " + "\n  ".join(steps)


def test_the_graph_sees_imports_inside_functions_and_packages(tmp_path):
    for name, text in {
        "metrics/__init__.py": "",
        "metrics/a.py": "def f():\n    from metrics import b\n",
        "metrics/b.py": "import metrics.c\n",
        "metrics/c.py": "from metrics.a import f\n",
        "metrics/d.py": "from . import c\n",
    }.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    for package in PACKAGES[:-1]:
        (tmp_path / package).mkdir(exist_ok=True)
    (tmp_path / "config").mkdir(exist_ok=True)
    graph = import_graph(project_modules(tmp_path))
    assert graph["metrics.d"] == {"metrics.c": 1}
    assert import_cycles(graph) == [["metrics.a", "metrics.b", "metrics.c", "metrics.a"]]


def test_no_import_cycle_among_the_project_modules():
    graph = import_graph(project_modules(Path(settings.BASE_DIR)))
    assert len(graph) > 100
    cycles = import_cycles(graph)
    assert not cycles, "Import cycles (each module should stand above what it imports):\n" + (
        "\n".join(describe(cycle, graph) for cycle in cycles)
    )


def _stands_above_the_apps(module: str) -> bool:
    return any(module == top or module.startswith(f"{top}.") for top in METRICS_ABOVE_THE_APPS)


def test_the_activity_log_imports_none_of_the_apps_that_write_to_it():
    graph = import_graph(project_modules(Path(settings.BASE_DIR)))
    metrics_imports = {
        f"{module} -> {imported} (line {line})"
        for module, edges in graph.items()
        if (module == "metrics" or module.startswith("metrics."))
        and not _stands_above_the_apps(module)
        for imported, line in edges.items()
        if imported.split(".")[0] in APPS_ABOVE_METRICS or _stands_above_the_apps(imported)
    }
    assert metrics_imports == set()
