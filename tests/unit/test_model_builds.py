"""Every pydantic model of `dialtone` builds its validator on first use (`defer_build`), so
that a handler's cold start pays only for the models its request touches, not for every model
of the modules it imports (a model built with its class costs 0.5 to 2 ms)."""

from __future__ import annotations

import importlib
import pkgutil

from pydantic import BaseModel

import dialtone

# Modules of the command line only (never in a function), which need its extra packages.
SKIPPED = ("dialtone.cli",)


def _subclasses(cls: type[BaseModel]) -> set[type[BaseModel]]:
    found: set[type[BaseModel]] = set()
    pending = [cls]
    while pending:
        for subclass in pending.pop().__subclasses__():
            if subclass not in found:
                found.add(subclass)
                pending.append(subclass)
    return found


def test_every_model_of_the_package_is_built_on_first_use() -> None:
    # Given every module of the package imported
    modules = [
        info.name
        for info in pkgutil.walk_packages(dialtone.__path__, "dialtone.")
        if not info.name.startswith(SKIPPED)
    ]
    for name in modules:
        importlib.import_module(name)

    # When its models are listed
    models = [m for m in _subclasses(BaseModel) if m.__module__.startswith("dialtone.")]

    # Then there are many, and none builds its validator with its class
    assert len(models) > 100
    built_at_import = sorted(
        f"{m.__module__}.{m.__qualname__}" for m in models if not m.model_config.get("defer_build")
    )
    assert built_at_import == []
