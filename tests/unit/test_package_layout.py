"""The `dialtone` package's layout, read from its source with `ast`: its modules import each
other in one direction (no circle), never the handlers in `functions/`, and the telephony
backends sit behind an interface that imports none of them."""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests import fresh

ROOT = Path(__file__).resolve().parents[2]
LAYER = ROOT / "layers" / "common" / "python"
PACKAGE = LAYER / "dialtone"

TELEPHONY_INTERFACE = "dialtone.telephony.base"
TELEPHONY_FACTORY = "dialtone.telephony.providers"
TELEPHONY_BACKENDS = ("dialtone.telephony.twilio", "dialtone.telephony.simulator")
# The flat modules the subpackages replaced: none of them may come back as a shim.
FORMER_MODULES = (
    "dial_queue",
    "dialer",
    "dialing",
    "limiter",
    "simulator",
    "status_callbacks",
    "suppressions",
    "sweeper",
    "telephony",
    "twilio_provider",
)


@dataclass
class ModuleImports:
    """What one module imports: at import time (`eager`) and anywhere (`every`)."""

    eager: set[str] = field(default_factory=set)
    every: set[str] = field(default_factory=set)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(LAYER).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _targets(node: ast.Import | ast.ImportFrom, importer: str) -> list[str]:
    """The modules an import statement names (`from a import b` names `a.b` when that is a
    module of the package, else `a`)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    assert node.level == 0, f"{importer} uses a relative import: absolute imports only"
    base = node.module or ""
    return [
        f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
        for alias in node.names
    ]


def _is_type_checking_block(node: ast.stmt) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _collect(node: ast.AST, importer: str, found: ModuleImports, eager: bool) -> None:
    """Walk a module: statements run at import time are eager; function bodies and
    `if TYPE_CHECKING:` blocks are not."""
    if isinstance(node, ast.Import | ast.ImportFrom):
        names = _targets(node, importer)
        found.every.update(names)
        if eager:
            found.eager.update(names)
        return
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
        eager = False
    if isinstance(node, ast.stmt) and _is_type_checking_block(node):
        eager = False
    for child in ast.iter_child_nodes(node):
        _collect(child, importer, found, eager)


def imports_of(module: str) -> ModuleImports:
    found = ModuleImports()
    _collect(ast.parse(MODULES[module].read_text()), module, found, eager=True)
    return found


IMPORTS = {module: imports_of(module) for module in MODULES}


def package_edges(module: str) -> set[str]:
    """The package's own modules `module` imports at import time."""
    return {name for name in IMPORTS[module].eager if name in MODULES and name != module}


def every_package_edge(module: str) -> set[str]:
    """The package's own modules `module` imports anywhere, inside functions too."""
    return {name for name in IMPORTS[module].every if name in MODULES and name != module}


def find_cycle(edges: Callable[[str], set[str]] = package_edges) -> list[str] | None:
    """One import circle among the package's modules (following `edges`), if there is one."""
    state: dict[str, str] = {}  # "open" while on the path, "done" once fully explored
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = "open"
        path.append(module)
        for target in sorted(edges(module)):
            if state.get(target) == "open":
                return [*path[path.index(target) :], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        path.pop()
        state[module] = "done"
        return None

    for module in MODULES:
        if module not in state and (cycle := visit(module)):
            return cycle
    return None


def test_the_layout_is_read_from_the_subpackages() -> None:
    # A test that found no module would pass whatever the imports are.
    assert {"dialtone.telephony", TELEPHONY_INTERFACE, *TELEPHONY_BACKENDS} <= set(MODULES)
    assert {"dialtone.dialing.queue", "dialtone.dialing.dialer"} <= set(MODULES)
    assert "dialtone.telephony.base" in package_edges("dialtone.telephony.twilio")


def test_no_module_imports_another_that_imports_it_back() -> None:
    cycle = find_cycle()
    assert cycle is None, "import circle: " + " -> ".join(cycle or [])


def test_no_circle_either_through_imports_made_inside_functions() -> None:
    cycle = find_cycle(every_package_edge)
    assert cycle is None, "import circle: " + " -> ".join(cycle or [])


def test_a_circle_would_be_found() -> None:
    # Given the circle the flat layout had: the receiver of status callbacks importing the
    # interface, a backend importing the receiver, the interface building the backend
    receiver = "dialtone.telephony.status_callbacks"
    saved = IMPORTS[TELEPHONY_INTERFACE].every.copy()
    IMPORTS[TELEPHONY_INTERFACE].every.add(receiver)
    try:
        # When the walk follows every import
        cycle = find_cycle(every_package_edge)
    finally:
        IMPORTS[TELEPHONY_INTERFACE].every = saved
    # Then it names the circle
    assert cycle is not None
    assert {TELEPHONY_INTERFACE, receiver} <= set(cycle)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_the_package_never_imports_the_handlers_or_the_tooling(module: str) -> None:
    outside = {"functions", "local", "tests", "bench"}
    wrong = sorted(name for name in IMPORTS[module].every if name.split(".")[0] in outside)
    assert wrong == [], f"{module} imports {wrong}"


@pytest.mark.parametrize("backend", TELEPHONY_BACKENDS)
def test_each_telephony_backend_imports_the_interface_and_no_other_backend(backend: str) -> None:
    assert TELEPHONY_INTERFACE in IMPORTS[backend].eager
    others = set(TELEPHONY_BACKENDS) - {backend}
    assert not others & IMPORTS[backend].every


def test_the_telephony_interface_imports_no_backend() -> None:
    assert not {name for name in IMPORTS[TELEPHONY_INTERFACE].every if name in MODULES} & {
        *TELEPHONY_BACKENDS,
        TELEPHONY_FACTORY,
        "dialtone.telephony.status_callbacks",
    }


def test_backends_are_imported_only_by_the_factory_that_builds_them_on_demand() -> None:
    for backend in TELEPHONY_BACKENDS:
        importers = {m for m, found in IMPORTS.items() if backend in found.every} - {backend}
        assert importers == {TELEPHONY_FACTORY}, backend
        for module in (TELEPHONY_FACTORY, "dialtone.telephony"):
            assert backend not in IMPORTS[module].eager, module


def test_telephony_knows_nothing_of_dialing() -> None:
    for module in MODULES:
        if module.startswith("dialtone.telephony"):
            dialing = sorted(n for n in IMPORTS[module].every if n.startswith("dialtone.dialing"))
            assert dialing == [], f"{module} imports {dialing}"


def test_only_the_twilio_backend_and_the_signer_use_the_twilio_sdk() -> None:
    users = {
        module
        for module, found in IMPORTS.items()
        if any(name == "twilio" or name.startswith("twilio.") for name in found.every)
    }
    assert users == {"dialtone.telephony.twilio", "dialtone.telephony.signing"}
    for module in users:
        eager = [name for name in IMPORTS[module].eager if name.split(".")[0] == "twilio"]
        assert eager == [], f"{module} imports the SDK at import time: {eager}"


def clients_used(module: str) -> set[str]:
    """The AWS services a module asks `dialtone.aws` (or boto3) for a client of."""
    services = set()
    for node in ast.walk(ast.parse(MODULES[module].read_text())):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "client"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            services.add(str(node.args[0].value))
    return services


@pytest.mark.parametrize(
    ("service", "adapters"),
    [
        # The dial queue, the grade queue and the webhook delivery queue.
        ("sqs", {"dialtone.dialing.queue", "dialtone.quality.grading", "dialtone.webhooks.queue"}),
        ("s3", {"dialtone.recordings"}),
    ],
)
def test_one_module_touches_each_queue_and_bucket(service: str, adapters: set[str]) -> None:
    users = {module for module in MODULES if service in clients_used(module)}
    assert users == adapters


def test_the_flat_modules_the_subpackages_replaced_are_gone() -> None:
    left = [name for name in FORMER_MODULES if (PACKAGE / f"{name}.py").exists()]
    assert left == []


def test_importing_the_subpackages_loads_no_twilio_sdk() -> None:
    # When a fresh interpreter imports what the API handlers and the dialer import
    modules = [
        "dialtone.telephony",
        "dialtone.telephony.status_callbacks",
        "dialtone.telephony.simulator",
        "dialtone.telephony.twilio",
        "dialtone.dialing.accept",
        "dialtone.dialing.dialer",
        "dialtone.dialing.status",
        "dialtone.dialing.sweeper",
    ]
    script = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "sdk = [m for m in sys.modules if m == 'twilio' or m.startswith('twilio.')]\n"
        "print(json.dumps(sorted(sdk)))\n"
    )
    loaded = fresh.last_line(script)
    # Then no module of the Twilio SDK is loaded
    assert loaded == []
