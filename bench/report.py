"""Figures as printed lines (`name: value (goal) [detail]`) and as BENCHMARKS.md."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "BENCHMARKS.md"


@dataclass(frozen=True)
class Figure:
    """One measured figure, its goal, and whether the goal is met (None: no goal)."""

    name: str
    value: str
    goal: str
    met: bool | None
    detail: str = ""
    # Goals owned by a later change are reported but not counted in "goals met".
    later: bool = False

    def line(self) -> str:
        detail = f" [{self.detail}]" if self.detail else ""
        return f"{self.name}: {self.value} ({self.goal}){detail}"


def ratio(value: float) -> str:
    return f"{value:.2f}"


def at_most(name: str, value: float, goal: float, detail: str = "") -> Figure:
    return Figure(name, ratio(value), f"goal ≤ {goal:g}", value <= goal, detail)


def summary(figures: list[Figure]) -> tuple[str, str]:
    """`goals met: a/b` over the figures this change answers for, and the later ones apart."""
    now = [f for f in figures if f.met is not None and not f.later]
    later = [f for f in figures if f.met is not None and f.later]
    current = f"goals met: {sum(bool(f.met) for f in now)}/{len(now)}"
    deferred = f"later-issue goals met: {sum(bool(f.met) for f in later)}/{len(later)}"
    return current, deferred


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def source_revision() -> str:
    """The commit benched, and whether the working tree differs from it (read-only git)."""
    environment = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True, env=environment
        ).stdout.strip()

    try:
        commit = git("rev-parse", "--short", "HEAD")
        changes = git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{commit} (with uncommitted changes)" if changes else commit


def machine_facts() -> list[tuple[str, str]]:
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    memory = ""
    try:
        pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
        memory = f"{pages * size / 2**30:.1f} GiB"
    except (ValueError, OSError, AttributeError):
        memory = "unknown"
    return [
        ("CPU", _cpu_model()),
        ("CPUs", f"{os.cpu_count()} (usable by this process: {usable or os.cpu_count()})"),
        ("memory", memory),
        ("OS", f"{platform.system()} {platform.release()} {platform.machine()}"),
        ("Python", sys.version.split()[0]),
        ("source", source_revision()),
        (
            "packages",
            ", ".join(
                f"{p} {_version(p)}"
                for p in ("boto3", "botocore", "moto", "aws-lambda-powertools", "pydantic")
            ),
        ),
    ]


METHOD = """\
Every figure is measured on this machine against moto's server (`local.endpoint.EmbeddedAws`,
DynamoDB, S3 and Secrets Manager over real HTTP on 127.0.0.1), with the tables, bucket and
secret created from `template.yaml` (`local.provision`) and each handler given the environment
the template gives it. Metrics stay enabled as deployed. Regenerate with `make bench`.

The run has two lanes, one process each, at the same time on the machine's two CPUs
(`bench.lane`). The first measures the 10,000-call tenant, the runtime's data, the change
feed, and batch acceptance and dial pacing; the second, on an embedded
endpoint of its own, the 100,000-call tenant, the export's memory, grading, the webhook
fan-out, the simulated rollup days and the functions' sizes. A lane measures counts, sizes,
memory, ratios of runs interleaved within it, and times reported without a goal, taken while
the other lane keeps the other CPU busy; the dial pacing's gaps hold with both CPUs busy (its
`cpu_busy` case), and batch acceptance, held to its function's timeout, is only slower with
the other lane busy, never faster. What needs the machine to itself runs after both lanes,
alone: the cold starts (ratios of wall times a few percent apart, which moved by up to 0.22
between runs of the same code while the other lane ran), the local stack and the webhook
delivery latency.

- **List read amplification** (`list_read_amplification_<filter>`): a tenant of 10,000 calls of
  realistic variety (`local.seed.make_call`, fixed seed; a 200-call batch, a phone line that is
  `from_number` of outbound and `to_number` of inbound calls, a customer with 40 calls and one
  with 6, 30 calls sharing a call-id prefix, completed calls with recordings) next to a
  neighbour tenant of 3,000 calls in the same table. One page (default `limit`, 20) per filter
  through the `list_calls` handler. Items read are counted by a botocore hook on the handler's
  own DynamoDB client: `ScannedCount` of every Query/Scan, plus items returned by
  GetItem/BatchGetItem. Queries with `Select=COUNT` compute `total` and are reported apart as
  `list_total_items_read_<filter>`. Amplification = items read for the page ÷ calls returned.
  Each page is also checked against the seeded data (calls, order, total). Every filter value
  matches at least 20 calls, except `phone_number_customer` (a customer with 6 calls); the
  call-id search uses a prefix that 30 calls share (a random 8-digit prefix would match about
  one call in a tenant of this size). The common pairs of filters (`direction_status`,
  `agent_status`, `agent_direction`, `batch_status`, `status_outcome`) are measured alone and
  over seven days that hold the batch (`<pair>_date_range`).
- **Page cost at 100,000 calls** (`list_read_amplification_<filter>_100k`,
  `list_page_cost_growth`): the same pages on a tenant of 100,000 calls shaped like the one
  above, seeded in `seed_100k_seconds` by `bench.fixture.seed_large_list_tenant` (calls from
  `make_call`, items from the store's own `_call_item`, put straight into the embedded moto's
  table in process; Python's garbage collection paused meanwhile, with one collection after,
  counted in the time, as for the 10,000 calls and for both tenants' rollups). Its pages are
  read by the functions the handler reads a page with (`build_filters`, `plan_streams`,
  `read_page`), without the handler's `total`, which counts every match.
  `list_page_cost_growth` = items read by all those pages at 100,000 calls ÷ at 10,000. The
  tenant's rollups are then built from its call items as the calls table holds them
  (`build_from_items`, the consumer's code) and put straight into the analytics table in
  process, and `total` and 30 days of stats are measured on them (`*_100k`): items read are
  counted as above, the stats' times are of one request (medians of 3 at 10,000 calls).
- **Handler overhead** (`get_call_handler_overhead`): median time of a warm `get_call` through
  its handler (authorizer context, a completed call with a recording, so the URL is presigned)
  ÷ median time of a bare `GetItem` of the same item on the same client, interleaved runs.
- **Cold start** (`cold_start_ratio_<function>`): wall time of a fresh `.venv/bin/python` that
  imports `functions/<name>/app.py` by path and serves one request (an existing call or API
  key) ÷ wall time of a fresh interpreter doing the floor: importing boto3, creating the
  clients the function creates (same configuration) and making the same DynamoDB calls.
  Both measured from the parent (interpreter start-up included) until the child has written
  its answer and left with `os._exit` (Lambda keeps the process for the next request: an
  interpreter's exit, unloading every module, is never on a request's path), interleaved
  after one discarded warm-up pair that fills the bytecode caches. Each side's time is the
  fastest of its runs (7 unless `BENCH_COLD_START_RUNS` says otherwise), the detail gives the
  medians too: another process on this shared machine only ever adds time, in bursts that a
  handler run and the floor run next to it need not share. Of one run of 44 functions, 9 runs
  each, medians of the first 5 gave ratios from 0.83 to 1.54 (mean 1.20); the fastest of 9 gave
  0.91 to 1.32 (mean 1.22). In two later runs of 7 the means were as close (medians 1.22 and
  1.21, the fastest 1.20 and 1.22) and the fastest always far less spread. The child has
  Lambda's `AWS_LAMBDA_FUNCTION_NAME`, so a handler's init runs as in Lambda
  (`dialtone.startup`: collection paused while its modules load and, for an API function, while
  it answers its first request; what was built is then frozen).
  The floor imports boto3, as a bare handler would; dialtone's handlers make botocore's clients
  from one session (`dialtone.aws`) and never import boto3. Both sides run on the development
  `.venv`, which holds packages no layer ships and that botocore imports when they are there
  (awscrt, pyOpenSSL with cryptography): about 100 ms that both sides pay here and no function
  pays in Lambda, so a ratio measured here is lower than Lambda's. They run against a small second
  copy of the stack on the same endpoint, so that moto's query time (which grows with the
  table) does not drown the start-up being measured. The handler's child also reports whether
  `twilio` ended up in `sys.modules`. The runtime's writes are benched with requests that can
  be repeated: a `PUT` that changes nothing (`upsert_call`), and one exchange or history event
  that the first (discarded) run stores and the others repeat (200, "unchanged"); their floor
  makes the same transaction on an item of its own, whose condition fails the same way. Such
  a floor, written in the bench, is checked against one recording run of its handler (the same
  clients, the same operations in the same order): one that drifted is not measured.
  Every other API function serves a request that can be repeated: the first page of the
  tenant's calls (its query, the cursor secret, the total's rollups), reads of the seeded agent,
  the tenant's agents, suppressions and dialer status, a search of two ids (one unknown), a CSV
  export of the tenant's 40 calls, the call's grade and issue reports, the tenant's issue
  reports, 30 days of stats, the change feed, the tenant's webhook subscriptions, its seeded
  subscription and that one's deliveries, and the Swagger UI page (200); a grade request that
  finds the grade a priming run started pending (200); a description set on the subscription
  and a new secret made current (200); creations of a new agent (201), a call or a two-number
  batch (202), one issue report (201), one webhook subscription (201), one test ping (202) and
  of one suppression (201, then 200); and requests on what is not there or not in the state
  they need: a cancel of the completed call (409), deletes of an unknown agent, call,
  suppression or subscription, the read of an unknown batch and the retry of an unknown
  delivery (404), and a status callback signed with a token the stack does not hold (403).
  Their floor makes the calls that one recording run of the handler sent (botocore's
  `provide-client-params` of each request that reached `before-call`: a presigned URL is
  signed, not sent), with the same clients, refused or not as the handler's were. Every
  function's child also reports whether `phonenumbers` or `mutagen` was loaded by importing the
  module (`api_handlers_import_phonenumbers_or_mutagen`): both are for first use only. The import
  budget of the slowest handler lists what it imports beyond the floor (`python -X importtime`;
  its total is `cold_start_import_budget_ms_<function>`). Two references run in the same rounds
  on `get_call`'s floor (`cold_start_ratio_reference_*`): the floor's calls made by the one
  route of powertools' `APIGatewayHttpResolver` with validation (a UUID path parameter, a
  pydantic response model), and the same route on `dialtone.http`'s resolver inside
  `observability.api_handler` (Logger, Metrics), with `dialtone` imported first as the
  handlers do (it enters powertools' event handler and data classes packages without their
  `__init__`, which import every resolver and some forty event types: `dialtone.lazy_inits`):
  what every handler of this design pays before any import of its own.
- **Function size** (`function_unzipped_mb_<function>`): the bytes Lambda unzips for the
  function, its code plus every layer it takes (the template's Globals' layers, then its own),
  measured on the output of `sam build` (arm64 wheels, no container); Lambda's limit is 250 MB.
- **Exchange append** (`ingest_exchange_batch_*`): `POST /v1/calls/{id}/exchanges` of 100
  exchanges (`local.seed.make_exchanges`) in one request through the `append_call_exchanges`
  handler in process, warm, each run on a new call created through the `upsert_call` handler (so
  every sequence number is new), medians of interleaved runs. The floor is the same DynamoDB
  requests made bare on the same client (the consistent GetItem of the call, then the
  transactions of a ConditionCheck and up to 99 conditional Puts, already serialised). Each run
  of either side starts on the calls table recreated empty from the template. Items read and
  written are counted by botocore hooks on the handler's client (reads as for the lists; writes:
  the Puts/Updates/Deletes a request carries, ConditionChecks apart). "Outside the DynamoDB
  requests" is the run's time less the time between botocore's `before-call` and `after-call` of
  each request. Garbage is collected before every timed run.
- **Transcript read** (`transcript_read_5000_*`): `GET /v1/calls/{id}/transcript` of a call of
  5,000 exchanges (the items the append handler writes, stored with BatchWriteItem), through
  the `get_call_transcript` handler, every page of it (following `next_cursor`, as a client
  does): format `exchanges` interleaved with its floor (the GetItem
  of the call and the paginated Query of its exchanges, bare), then one run each of `turns` and
  `vtt`. moto takes seconds to serialise 5,000 items, for the handler and the floor alike; the
  handler's own work is the time outside the DynamoDB requests.
- **Batch acceptance** (`batch_accept_1000_ms`): wall time of one `POST /v1/calls/batch` of
  1,000 valid numbers through the `create_call_batch` handler in process (after one small warm-up
  request), with the items written and requests made counted by botocore hooks on the handler's
  own clients. The goal is the function's own `Timeout` (29 s), within which the whole batch must
  be stored and queued.
- **Dial pacing** (`dial_pacing_{min,mean,max}_gap_s`): the whole local stack (`local.stack`: SAM's
  API emulator, a warm worker per function, the template's SQS event source, i.e. two concurrent
  dialers taking up to 5 messages each) with the simulator as the provider. A tenant at the
  default 1 call a second queues a 20-number batch over HTTP; the gaps are between consecutive
  provider create calls, as the simulator recorded them in the dialers' processes.

The stack's, the handlers' and the dialers' log lines go to `.dialtone/bench.log`; the wall
time of each stage of the run is under "Bench stages".

Times measured on moto are the emulator's, not production latencies: moto answers every request
in milliseconds (its server runs in the bench's own process, a thread per client connection) and
its Query walks the whole table, so a list request that counts thousands of calls
takes seconds here. The figures that carry goals are counts and ratios. For cold starts, this
`.venv` also holds `awscrt` and `pyOpenSSL` (brought by the dev tools, absent from Lambda's
runtime), which boto3 imports: that weighs on both sides but makes the floor heavier here than
on Lambda, where the same handlers would show higher ratios, not lower.
"""


def _table(figures: list[Figure]) -> list[str]:
    """The figures as a Markdown table (a goal met: yes; missed: **no**), and a blank line."""
    lines = ["| figure | value | goal | met | detail |", "|---|---|---|---|---|"]
    for figure in figures:
        met = "" if figure.met is None else ("yes" if figure.met else "**no**")
        goal = figure.goal.removeprefix("goal").strip(" :")
        lines.append(f"| `{figure.name}` | {figure.value} | {goal} | {met} | {figure.detail} |")
    return [*lines, ""]


@dataclass(frozen=True)
class Section:
    """A titled block of Markdown lines after the figures (for example a table)."""

    title: str
    lines: list[str]


def write_markdown(
    figures: list[Figure],
    notes: list[str],
    facts: list[tuple[str, str]],
    path: Path = BENCHMARKS,
    sections: list[Section] | None = None,
) -> None:
    current, deferred = summary(figures)
    lines = [
        "# Benchmarks",
        "",
        "Generated by `make bench` (`python -m bench`); do not edit by hand.",
        "",
        f"Run: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}.",
        "",
        "## Method",
        "",
        METHOD,
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        *(f"| {name} | {value} |" for name, value in facts),
        "",
    ]
    misses = [figure for figure in figures if figure.met is False]
    if misses:
        lines += [
            "## Misses",
            "",
            "The figures whose goal is not met (also in the table below).",
            "",
        ]
        lines += _table(misses)
    lines += ["## Figures", "", *_table(figures), f"{current}; {deferred}.", ""]
    for section in sections or []:
        lines += [f"## {section.title}", "", *section.lines, ""]
    if notes:
        lines += ["## Notes", "", *(f"- {note}" for note in notes), ""]
    path.write_text("\n".join(lines))


_lane = ""


def in_lane(lane: str) -> None:
    """Progress lines from now on name the lane they come from ("": none)."""
    global _lane
    _lane = f"[{lane}] " if lane else ""


def progress(message: str) -> None:
    print(f"# {_lane}{message}", file=sys.stderr, flush=True)


class Stages:
    """The run's stages, the lane each ran in and the wall time of each: printed as each
    ends, and reported."""

    def __init__(self, lane: str = "") -> None:
        self.lane = lane
        self.times: list[tuple[str, str, float]] = []

    @contextmanager
    def __call__(self, message: str) -> Iterator[None]:
        progress(message)
        started = time.perf_counter()
        try:
            yield
        finally:
            seconds = time.perf_counter() - started
            self.times.append((self.lane, message, seconds))
            progress(f"{seconds:.0f} s for: {message}")

    def section(self) -> Section:
        """The stages' wall times, the slowest first, as a table for BENCHMARKS.md."""
        total = sum(seconds for _, _, seconds in self.times)
        return Section(
            "Bench stages",
            [
                "Wall time of each stage of this run (what a `make bench` costs, and where),",
                "and the lane it ran in: stages of lanes 1 and 2 run at the same time, one lane",
                "a CPU; those of no lane run alone, after them. The run's own wall time is",
                "under Machine.",
                "",
                "| stage | lane | s |",
                "|---|---|---|",
                *(
                    f"| {message} | {lane or 'alone'} | {seconds:.0f} |"
                    for lane, message, seconds in sorted(self.times, key=lambda row: -row[2])
                ),
                f"| **all stages, added up** | | **{total:.0f}** |",
            ],
        )


def emit(figure: Figure) -> None:
    print(figure.line(), flush=True)
