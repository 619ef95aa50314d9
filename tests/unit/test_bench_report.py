"""BENCHMARKS.md as `bench.report.write_markdown` writes it."""

from __future__ import annotations

from pathlib import Path

from bench.lane import LaneResult
from bench.listing import growth_figures
from bench.report import Figure, Section, Stages, write_markdown


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


def test_a_lanes_result_reads_back_as_written() -> None:
    # Given what a second lane measured
    result = LaneResult(
        large=[Figure("seed_100k_seconds", "90.0", "no goal; reported", None, "calls")],
        others=[Figure("export_1000_peak_mb", "25.4", "goal ≤ 128", True)],
        notes=["a note"],
        sections=[Section("Import budget", ["| a | b |"])],
        stages=[("2", "export", 61.5)],
        page_reads={"none": 21},
    )

    # When it goes through its file and back
    again = LaneResult.from_json(result.to_json())

    # Then nothing is lost or changed
    assert again == result


def test_page_cost_growth_compares_the_pages_both_tenants_measured() -> None:
    printed: list[Figure] = []

    figures = growth_figures(
        {"none": 21, "status": 21, "only_small": 5}, {"none": 21, "status": 25}, printed.append
    )

    assert [f.value for f in figures] == ["42", "46", "1.10"]
    assert figures[-1].met is True
    assert printed == figures


def test_the_stages_table_says_which_lane_each_stage_ran_in() -> None:
    stages = Stages("1")
    with stages("seeding"):
        pass
    stages.times.append(("", "alone at the end", 3.0))

    lines = stages.section().lines

    assert any(line.startswith("| seeding | 1 | ") for line in lines)
    assert "| alone at the end | alone | 3 |" in lines
