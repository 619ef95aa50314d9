"""Third-party packages entered without running their `__init__`, for the API handlers' cold start.

powertools' `event_handler/__init__.py` imports every resolver powertools has (AppSync's brings
asyncio), and `utilities/data_classes/__init__.py` imports some forty event types; an HTTP API
handler uses one resolver and two event types. `defer(name)` puts the package in `sys.modules`
with its path but without running its `__init__`, when that `__init__` only re-exports names
from its own submodules (read from its source). A name it exports is then imported from the
submodule that defines it on first use, and a submodule is imported as usual: the same objects
as before, only imported when something asks for them.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import sys
from types import ModuleType
from typing import Any

# The packages a handler's first request needs a small part of.
# (A subpackage after its parent.)
DEFERRED = (
    "aws_lambda_powertools.event_handler",
    "aws_lambda_powertools.event_handler.openapi",  # its OpenAPI merging, for documents only
    "aws_lambda_powertools.utilities.data_classes",
)


def defer(name: str) -> bool:
    """Register package `name` without running its `__init__` (see the module's docstring);
    False, with nothing changed, when it is imported already or its `__init__` does more than
    re-export its submodules' names."""
    if name in sys.modules:
        return False
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None or spec.submodule_search_locations is None:
        return False
    read = _read(name, spec.origin)
    if read is None:
        return False
    exports, constants = read
    package = importlib.util.module_from_spec(spec)
    package.__all__ = list(exports)  # type: ignore[attr-defined]
    for constant, value in constants.items():
        setattr(package, constant, value)
    package.__getattr__ = _attribute_loader(package, exports)  # type: ignore[method-assign]
    sys.modules[name] = package
    parent, _, child = name.rpartition(".")
    if parent:
        setattr(sys.modules[parent], child, package)
    return True


def reexports(name: str, init_path: str) -> dict[str, tuple[str, str]] | None:
    """What the `__init__` at `init_path` exports → (the submodule defining it, its name there);
    None when the `__init__` does anything else than import from the package's submodules and
    set `__all__` or `__version__` (then it must run). A block run only as a script (`if
    __name__ == "__main__":`) does nothing on import."""
    read = _read(name, init_path)
    return None if read is None else read[0]


def _read(name: str, init_path: str) -> tuple[dict[str, tuple[str, str]], dict[str, str]] | None:
    """`reexports`, and the `__version__` the `__init__` sets (kept on the package)."""
    with open(init_path, encoding="utf-8") as file:
        tree = ast.parse(file.read(), init_path)
    exports: dict[str, tuple[str, str]] = {}
    constants: dict[str, str] = {}
    for index, node in enumerate(tree.body):
        if index == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # the docstring
        if _is_all(node) or (isinstance(node, ast.ImportFrom) and node.module == "__future__"):
            continue
        if _is_script_only(node):
            continue
        version = _version(node)
        if version is not None:
            constants["__version__"] = version
            continue
        source = _submodule(name, node)
        if source is None:
            return None
        assert isinstance(node, ast.ImportFrom)
        exports.update({alias.asname or alias.name: (source, alias.name) for alias in node.names})
    return exports, constants


def _is_all(node: ast.stmt) -> bool:
    return isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == [
        "__all__"
    ]


def _version(node: ast.stmt) -> str | None:
    """The string of `__version__ = "<a string>"`, else None."""
    if (
        isinstance(node, ast.Assign)
        and [getattr(t, "id", None) for t in node.targets] == ["__version__"]
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    ):
        return node.value.value
    return None


def _is_script_only(node: ast.stmt) -> bool:
    """`if __name__ == "__main__": ...`, which an import never runs."""
    return isinstance(node, ast.If) and ast.unparse(node.test) in (
        "__name__ == '__main__'",
        "'__main__' == __name__",
    )


def _submodule(name: str, node: ast.stmt) -> str | None:
    """The submodule of `name` a `from ... import` statement imports from, else None."""
    if not isinstance(node, ast.ImportFrom) or not node.module:
        return None
    if node.level == 1:
        return f"{name}.{node.module}"
    if node.level == 0 and node.module.startswith(name + "."):
        return node.module
    return None


def _attribute_loader(package: ModuleType, exports: dict[str, tuple[str, str]]) -> Any:
    def __getattr__(attribute: str) -> Any:
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        if attribute in exports:
            source, original = exports[attribute]
            value = getattr(importlib.import_module(source), original)
        else:
            try:
                value = importlib.import_module(f"{package.__name__}.{attribute}")
            except ModuleNotFoundError as error:
                if error.name != f"{package.__name__}.{attribute}":
                    raise  # the submodule exists: something it imports is missing
                message = f"module {package.__name__!r} has no attribute {attribute!r}"
                raise AttributeError(message) from None
        setattr(package, attribute, value)
        return value

    return __getattr__
