"""Secrets are never compared with `==`: a comparison that stops at the first differing byte
tells a caller, by its timing, how much of a guess was right.

An API key is not compared at all: its SHA-256 is the accounts table's key (`KeyResolver`), so
a guess costs one lookup of an unrelated hash. What is compared (a cursor's MAC) goes through
`hmac.compare_digest`; Twilio signatures through the SDK's RequestValidator (its own
constant-time compare). This reads the code's syntax for `==`/`!=` on anything named like a
secret.
"""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

from dialtone import keys, pagination

ROOT = Path(__file__).resolve().parents[2]
SECRET_NAME = re.compile(
    r"(signature|secret|key_hash|digest|mac|token|plaintext|password|api_key)$", re.I
)

# Comparisons of secret-looking names that are not secrets a caller could probe, with why.
NOT_SECRETS = {
    ("layers/common/python/dialtone/dialing/queue.py", "current.internal.claim_token != token"): (
        "a dial claim's lease token, written by the dialer and compared with the one in its own"
        " queue message: no caller supplies or sees it"
    ),
}


def _name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        return str(node.slice.value)
    if isinstance(node, ast.Call):
        return _name(node.func)
    return None


def secret_equalities(source: str) -> list[str]:
    """The `==`/`!=` comparisons in `source` with an operand named like a secret."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Compare):
            continue
        if not any(isinstance(op, ast.Eq | ast.NotEq) for op in node.ops):
            continue
        operands = [node.left, *node.comparators]
        if any(SECRET_NAME.search(_name(o) or "") for o in operands):
            found.append(ast.unparse(node))
    return found


def code_files() -> list[Path]:
    return [
        *ROOT.glob("layers/*/python/**/*.py"),
        *ROOT.glob("functions/*/app.py"),
        *ROOT.glob("local/*.py"),
    ]


def test_the_check_finds_a_secret_compared_with_equals() -> None:
    assert secret_equalities("ok = request.signature == expected") == [
        "request.signature == expected"
    ]
    assert secret_equalities("ok = stored['key_hash'] != hash_key(plaintext)")
    assert secret_equalities("ok = hmac.compare_digest(mac, expected)") == []


def test_no_secret_is_compared_with_equals() -> None:
    # Given every comparison in the functions, the layers and the local stack
    found = {
        (str(path.relative_to(ROOT)), comparison)
        for path in code_files()
        for comparison in secret_equalities(path.read_text())
    }

    # Then none compares a secret with ==, and every listed exception is still there
    assert found - NOT_SECRETS.keys() == set()
    assert NOT_SECRETS.keys() - found == set(), "stale entries in NOT_SECRETS"


def test_a_key_is_found_by_its_hash_and_a_cursor_mac_checked_in_constant_time() -> None:
    resolver = inspect.getsource(keys.KeyResolver.resolve)
    assert "hash_key(plaintext)" in resolver
    assert "compare_digest" in inspect.getsource(pagination)
