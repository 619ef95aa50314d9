"""The SDK's generated package is what openapi-python-client makes of the committed openapi.json."""

from pathlib import Path

from tools import sdk


def test_the_generated_sdk_matches_a_fresh_generation(tmp_path: Path) -> None:
    fresh = tmp_path / "_generated"
    sdk.generate(fresh)

    assert sdk.differences(fresh, sdk.GENERATED) == [], "the SDK is stale: run `make openapi`"


def test_a_changed_file_is_reported(tmp_path: Path) -> None:
    left, right = tmp_path / "a", tmp_path / "b"
    for tree in (left, right):
        (tree / "models").mkdir(parents=True)
        (tree / "models" / "call.py").write_text("x = 1\n")
    (right / "models" / "call.py").write_text("x = 2\n")
    (right / "extra.py").write_text("")

    assert sdk.differences(left, right) == ["extra.py", "models/call.py"]
