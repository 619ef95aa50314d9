"""The bench's second lane: stages run in a process of their own, with an embedded endpoint of
their own, while `python -m bench` runs the first lane's. Each lane is one Python process, so
on this machine's two CPUs each has one; what needs the machine to itself (the local stack,
the webhook delivery latency) runs after both, alone.

The second lane holds what measures counts, sizes and memory, and times reported without a
goal: the tenant of 100,000 calls, the export's memory, grading, the webhook fan-out, the
simulated rollup days and the functions' sizes. `python -m bench.lane RESULT` runs it and
writes what it measured to RESULT (JSON); its figures are printed as they are measured, its
log lines go to LOG_PATH."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from bench import export, fixture, grading, listing, rollups, sizes, stats, webhooks
from bench.fixture import ListDataset
from bench.report import ROOT, Figure, Section, Stages, emit, in_lane, progress

LOG_PATH = fixture.LOG_PATH.with_name("bench-lane-2.log")
LARGE_STATS_REPEATS = 1
# The lane's stages after the 100,000-call tenant, on its endpoint.
ON_ENDPOINT = (
    ("export: 1,000 completed calls with transcripts as JSON, in a process of its own", export.run),
    ("grading: the rubric grade of a 200-exchange call through the grader", grading.run),
    ("webhooks: one call event fanned out to 100 subscriptions", webhooks.run),
)


@dataclass
class LaneResult:
    """What a lane measured, in the order measured: the figures of its 100,000-call tenant
    (`large`) apart from the others, and the items each of that tenant's pages read."""

    large: list[Figure] = field(default_factory=list)
    others: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    stages: list[tuple[str, str, float]] = field(default_factory=list)
    page_reads: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> LaneResult:
        values: dict[str, Any] = json.loads(text)
        return cls(
            large=[Figure(**f) for f in values["large"]],
            others=[Figure(**f) for f in values["others"]],
            notes=values["notes"],
            sections=[Section(**s) for s in values["sections"]],
            stages=[(lane, message, seconds) for lane, message, seconds in values["stages"]],
            page_reads=values["page_reads"],
        )


def partial_figures_100k(
    notes: list[str],
) -> Callable[[ListDataset, dict[str, str]], list[Figure]]:
    """What the rollups answer on the 100,000-call tenant: its rollups built from its seeded
    calls (`build_from_items`), then `total` per filter, pair and range, and 30 days of
    stats, each checked against the seeded calls."""

    def measure(dataset: ListDataset, values: dict[str, str]) -> list[Figure]:
        progress("rollups of the 100,000 calls, then `total` and stats on them")
        seconds, writes = rollups.build(dataset, values["ANALYTICS_TABLE"], values["CALLS_TABLE"])
        notes.append(
            f"The 100,000-call tenant's rollups were built in {seconds:.0f} s ({writes} items"
            " written, added up in memory by `build_from_items` from the seeded call items)."
        )
        figures = rollups.total_figures(dataset, notes, emit, suffix="_100k")
        # The counts are what matter at this size; the times (seconds a request here, as moto
        # and botocore handle items of thousands of counters) are of one request each.
        return figures + stats.stats_figures(
            dataset, notes, emit, suffix="_100k", repeats=LARGE_STATS_REPEATS
        )

    return measure


def run() -> LaneResult:
    """The second lane's stages, one after another."""
    result = LaneResult()
    stage = Stages("2")
    with fixture.logs_to_file(LOG_PATH):
        with fixture.running_endpoint() as endpoint:
            with stage("the same list pages, rollups and stats on a tenant of 100,000 calls"):
                result.large, result.page_reads = listing.run_large(
                    endpoint, result.notes, emit, also=partial_figures_100k(result.notes)
                )
            for message, part in ON_ENDPOINT:
                with stage(message):
                    result.others += part(endpoint, result.notes, emit)
        with stage("rollups: the largest items of simulated busy days"):
            result.others += rollups.simulated_item_figures(emit)
        with stage("each function's unzipped size (sam build)"):
            result.others += sizes.run(result.notes, emit)
    result.stages = stage.times
    return result


class SecondLane:
    """The second lane's process, started on entering; `result()` waits for what it measured.
    Leaving the block stops the process if it still runs (the first lane failed)."""

    def __enter__(self) -> SecondLane:
        self._directory = tempfile.TemporaryDirectory(prefix="dialtone-bench-lane-")
        self._path = Path(self._directory.name, "result.json")
        self._process = subprocess.Popen(
            [sys.executable, "-m", "bench.lane", str(self._path)], cwd=ROOT
        )
        return self

    def result(self) -> LaneResult:
        code = self._process.wait()
        if code != 0:
            raise RuntimeError(f"the bench's second lane failed (exit status {code}): {LOG_PATH}")
        return LaneResult.from_json(self._path.read_text())

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._directory.cleanup()


def main(arguments: list[str]) -> int:
    if len(arguments) != 1:
        print("usage: python -m bench.lane RESULT.json", file=sys.stderr)
        return 2
    in_lane("2")
    Path(arguments[0]).write_text(run().to_json())
    # Done: the figures are written, the endpoint stopped, the log closed. Freeing the heap
    # object by object at exit (what is left of 100,000 calls and their rollups) took 25 s.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
