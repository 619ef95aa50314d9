"""Each function ships the layers its code imports, and only those; the layers' pins agree
with the development environment the tests run in."""

from __future__ import annotations

import ast
import re
import sys
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement

from local.provision import load_template, resources_of

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "layers" / "common" / "python"
# What Lambda's Python runtime provides (boto3 and what it needs), and its SnapStart hooks.
RUNTIME = {"boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "six", "urllib3"}
RUNTIME_MODULES = {"snapshot_restore_py"}
# Imported inside a function that only these functions call: dialtone.audio reads recordings
# for the indexer; the upload and erasure handlers share dialtone.recordings with it.
FIRST_USE_BY = {"mutagen": {"recording_indexer"}}
# phonenumbers' data that phonenumberslite leaves out.
FULL_PHONENUMBERS = {"phonenumbers.timezone", "phonenumbers.geocoder", "phonenumbers.carrier"}


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path: Path) -> dict[str, str]:
    """name → version of a requirements file's `name==version` lines."""
    found: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            found[normalized(name)] = version
    return found


@cache
def template() -> dict[str, Any]:  # read once: the tests only read it
    return load_template()


@cache
def layer_pins() -> dict[str, dict[str, str]]:
    """Layer logical id → the pins of its requirements.txt."""
    layers = resources_of(template(), "AWS::Serverless::LayerVersion")
    return {name: pins(ROOT / p["ContentUri"] / "requirements.txt") for name, p in layers.items()}


def function_layers() -> dict[str, list[str]]:
    """functions/<dir> name → its layers, the Globals' first (SAM appends the function's own)."""
    shared = [ref["Ref"] for ref in template()["Globals"]["Function"].get("Layers", [])]
    functions = resources_of(template(), "AWS::Serverless::Function")
    return {
        p["CodeUri"].strip("/").split("/")[-1]: shared + [r["Ref"] for r in p.get("Layers", [])]
        for p in functions.values()
    }


def _imports(path: Path) -> set[str]:
    """Every module a file may import, at its top or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _dialtone_file(name: str) -> Path | None:
    path = PACKAGE.joinpath(*name.split("."))
    for candidate in (path / "__init__.py", path.with_suffix(".py")):
        if candidate.exists():
            return candidate
    return None


def imported_by(function: str) -> set[str]:
    """Modules outside dialtone and the standard library that a function's code may import,
    following dialtone's modules from its app.py."""
    seen: set[Path] = set()
    outside: set[str] = set()
    pending = [ROOT / "functions" / function / "app.py"]
    while pending:
        for name in _imports(pending.pop()):
            if name.split(".")[0] != "dialtone":
                outside.add(name)
                continue
            parts = name.split(".")
            for depth in range(1, len(parts) + 1):
                path = _dialtone_file(".".join(parts[:depth]))
                if path is not None and path not in seen:
                    seen.add(path)
                    pending.append(path)
    top = {name.split(".")[0] for name in outside}
    return {n for n in outside | top if n.split(".")[0] not in sys.stdlib_module_names}


@cache
def _providers() -> dict[str, list[str]]:
    return dict(metadata.packages_distributions())


@cache
def needed_distributions(function: str) -> frozenset[str]:
    """The distributions a function's imports come from, besides the runtime's own."""
    providers = _providers()
    modules = imported_by(function)
    needed: set[str] = set()
    for module in (m for m in modules if "." not in m and m not in RUNTIME_MODULES):
        if function not in FIRST_USE_BY.get(module, {function}):
            continue
        if module == "phonenumbers":
            # Validation alone is served by phonenumberslite; the time zones need the full one.
            full = modules & FULL_PHONENUMBERS
            needed.add("phonenumbers" if full else "phonenumberslite")
            continue
        needed.update(normalized(d) for d in providers[module])
    return frozenset(needed - RUNTIME)


def shipped(function: str) -> dict[str, str]:
    """Every pinned distribution in a function's layers → the layer it comes from."""
    every = layer_pins()
    return {dist: layer for layer in function_layers()[function] for dist in every[layer]}


@cache
def _requires(dist: str) -> list[str]:
    return metadata.requires(dist) or []


FUNCTIONS = sorted(function_layers())


def test_every_function_directory_is_in_the_template() -> None:
    in_directories = sorted(p.parent.name for p in ROOT.glob("functions/*/app.py"))
    assert in_directories == FUNCTIONS


@pytest.mark.parametrize("function", FUNCTIONS)
def test_a_function_ships_every_package_its_code_imports(function: str) -> None:
    # Given the packages the function's code imports, and its layers
    needed, available = set(needed_distributions(function)), shipped(function)
    if "phonenumberslite" in needed and "phonenumbers" in available:
        needed = needed - {"phonenumberslite"} | {"phonenumbers"}  # the full one serves too

    # Then each is in one of its layers
    assert sorted(needed - set(available)) == []


@pytest.mark.parametrize("function", FUNCTIONS)
def test_a_function_takes_no_layer_it_does_not_import_from(function: str) -> None:
    # Given the function's layers besides the core one every function carries
    shared = [ref["Ref"] for ref in template()["Globals"]["Function"]["Layers"]]
    own = [layer for layer in function_layers()[function] if layer not in shared]
    needed = set(needed_distributions(function))
    every = layer_pins()

    # Then each of them brings something its code imports
    for layer in own:
        brings = set(every[layer])
        assert brings & (needed | {"phonenumbers"} if "phonenumberslite" in needed else needed), (
            f"{function} takes {layer} ({', '.join(sorted(brings))}) but imports none of it"
        )


@pytest.mark.parametrize("function", FUNCTIONS)
def test_no_package_comes_twice_into_a_function(function: str) -> None:
    # Given every pin of every layer of the function
    every = layer_pins()
    pinned = [dist for layer in function_layers()[function] for dist in every[layer]]
    # phonenumberslite and phonenumbers install the same `phonenumbers` package
    packages = ["phonenumbers" if dist == "phonenumberslite" else dist for dist in pinned]

    # Then no package is installed by two layers
    assert sorted(p for p in set(packages) if packages.count(p) > 1) == []


@pytest.mark.parametrize("function", FUNCTIONS)
def test_what_a_function_ships_is_complete(function: str) -> None:
    # Given the pinned distributions of the function's layers (installed with --no-deps)
    available = set(shipped(function)) | RUNTIME

    # Then what each of them requires is there too
    missing: set[str] = set()
    for dist in set(shipped(function)) - {"phonenumberslite"}:
        for text in _requires(dist):
            requirement = Requirement(text)
            if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
                continue
            if normalized(requirement.name) not in available:
                missing.add(f"{dist} needs {requirement.name}")
    assert sorted(missing) == []


def test_layer_pins_agree_with_the_development_environment() -> None:
    # Given the development pins the tests run with
    development = pins(ROOT / "requirements-dev.txt")

    for layer, layer_requirements in layer_pins().items():
        for name, version in layer_requirements.items():
            # Then every layer pins the version the tests ran (phonenumberslite: phonenumbers')
            expected = development["phonenumbers" if name == "phonenumberslite" else name]
            assert version == expected, f"{layer}: {name}=={version}, tests use {expected}"


def test_the_unused_xray_sdk_is_shipped_nowhere() -> None:
    # Tracing is Lambda's own: the X-Ray SDK would only cost cold start
    for layer, layer_requirements in layer_pins().items():
        assert "aws-xray-sdk" not in layer_requirements, layer
