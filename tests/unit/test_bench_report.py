"""BENCHMARKS.md as `bench.report.write_markdown` writes it."""

from __future__ import annotations

from pathlib import Path

from bench.report import Figure, Section, write_markdown


def test_missed_goals_are_listed_before_every_figure(tmp_path: Path) -> None:
    # Given figures that meet their goal, miss it, or have none
    figures = [
        Figure("fast_enough", "1.00", "goal ≤ 1.1", True),
        Figure("too_slow", "2.00", "goal ≤ 1.1", False, "one page"),
        Figure("reported", "12", "no goal; reported", None),
    ]
    path = tmp_path / "BENCHMARKS.md"

    # When the report is written
    write_markdown(figures, ["a note"], [("CPU", "test")], path, [Section("Stages", ["x"])])

    # Then the misses come first, the miss alone, then every figure
    text = path.read_text()
    misses, everything = text.split("## Misses")[1].split("## Figures")
    assert "`too_slow` | 2.00 | ≤ 1.1 | **no** | one page |" in misses
    assert "fast_enough" not in misses
    assert all(f"`{figure.name}`" in everything for figure in figures)
    assert "goals met: 1/2" in everything
    assert text.index("## Figures") < text.index("## Stages") < text.index("## Notes")


def test_no_misses_section_when_every_goal_is_met(tmp_path: Path) -> None:
    path = tmp_path / "BENCHMARKS.md"

    write_markdown([Figure("fine", "1.00", "goal ≤ 1.1", True)], [], [], path)

    assert "## Misses" not in path.read_text()
