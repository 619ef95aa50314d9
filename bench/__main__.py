"""`python -m bench`: every figure, printed as it is measured, then BENCHMARKS.md.

`python -m bench cold_start`, `python -m bench sizes`, `python -m bench listing` or
`python -m bench webhook_delivery` or `python -m bench local_stack` (or several)
measures only those parts and prints them, leaving BENCHMARKS.md as it is (a partial run would
drop the other figures).
Exit status 0 whether or not goals are met: the figures are reported, not asserted.
"""

from __future__ import annotations

import gc
import sys
import time

from bench import (
    changes,
    cold_start,
    dialing,
    fixture,
    ingest,
    listing,
    local_stack,
    overhead,
    rollups,
    search,
    sizes,
    stats,
    webhook_delivery,
)
from bench.lane import LOG_PATH as SECOND_LANE_LOG
from bench.lane import SecondLane, partial_figures_100k
from bench.report import (
    BENCHMARKS,
    Figure,
    Section,
    Stages,
    emit,
    in_lane,
    machine_facts,
    progress,
    summary,
    write_markdown,
)
from dialtone.accounts import AccountStore
from dialtone.store import CallStore
from dialtone.webhooks.subscriptions import SubscriptionStore
from local.endpoint import EmbeddedAws
from local.invoke import load_handler

SEED_BUDGET_SECONDS = 120
IN_PROCESS_HANDLERS = ("list_calls", "get_call", "search_calls", "stream_consumer")
PARTS = ("cold_start", "sizes", "listing", "webhook_delivery", "local_stack")


def cold_starts(endpoint: EmbeddedAws, notes: list[str], sections: list[Section]) -> list[Figure]:
    progress("cold starts (fresh interpreters against a small copy of the stack)")
    cold_stack = fixture.deploy(endpoint, "cold")
    cold_values = fixture.handler_environment(endpoint, cold_stack)
    with fixture.activated(cold_values):
        cold_data = fixture.seed_cold_tenant(
            AccountStore(cold_values["ACCOUNTS_TABLE"]),
            CallStore(cold_values["CALLS_TABLE"]),
            webhooks=SubscriptionStore(cold_stack.names["WebhooksTable"]),
        )
    return cold_start.run(endpoint, cold_stack, cold_data, notes, emit, sections)


def list_pages(endpoint: EmbeddedAws, notes: list[str]) -> list[Figure]:
    """Only the list pages: on the 10,000-call tenant, then on the 100,000-call one."""
    stack = fixture.deploy(endpoint, "list")
    values = fixture.handler_environment(endpoint, stack)
    page_reads: dict[str, int] = {}
    with fixture.activated(values):
        load_handler("list_calls")
        progress("seeding a 10,000-call tenant and a 3,000-call neighbour")
        dataset = fixture.seed_list_tenants(
            AccountStore(values["ACCOUNTS_TABLE"]), CallStore(values["CALLS_TABLE"])
        )
        # The pages' `total` is read from the rollups, as in the whole run.
        rollups.build(dataset, values["ANALYTICS_TABLE"], values["CALLS_TABLE"])
        progress("list read amplification, one page per filter")
        figures = listing.run(dataset, notes, emit, page_reads)
    fixture.drop_tables(endpoint, stack)
    del dataset
    gc.collect()
    progress("the same pages on a tenant of 100,000 calls (seeded straight into moto)")
    large, large_reads = listing.run_large(endpoint, notes, emit, also=partial_figures_100k(notes))
    return figures + large + listing.growth_figures(page_reads, large_reads, emit)


def partial(parts: list[str]) -> int:
    """Only the parts named, printed; BENCHMARKS.md is left as it is."""
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        print(f"unknown part {', '.join(unknown)}: choose from {', '.join(PARTS)}", file=sys.stderr)
        return 2
    figures: list[Figure] = []
    notes: list[str] = []
    sections: list[Section] = []
    stage = Stages()
    with fixture.logs_to_file() as log_path:
        progress(f"the stack's and the handlers' log lines go to {log_path}")
        if "cold_start" in parts:
            with stage("cold starts"), fixture.running_endpoint() as endpoint:
                figures += cold_starts(endpoint, notes, sections)
        if "sizes" in parts:
            with stage("each function's unzipped size (sam build)"):
                figures += sizes.run(notes, emit)
        if "listing" in parts:
            with stage("list pages at 10,000 and 100,000 calls"), fixture.running_endpoint() as ep:
                figures += list_pages(ep, notes)
        if "local_stack" in parts:
            with stage("the local stack: start, resident memory, read load, overhead"):
                figures += local_stack.run(notes, emit)
        if "webhook_delivery" in parts:
            with stage("webhooks: a call's write to its event at a receiver, on a local stack"):
                figures += webhook_delivery.run(notes, emit)
    sections.append(stage.section())
    for note in notes:
        print(f"note: {note}")
    for section in sections:
        print("\n".join([f"## {section.title}", *section.lines]))
    print(f"{summary(figures)[0]} (a partial run: {BENCHMARKS.name} not written)")
    return 0


TENANT_10K = "the 10,000-call tenant: lists, rollups, totals, stats, search, overhead"
COLD_STARTS = "cold starts (fresh interpreters against a small copy of the stack)"
# The first lane's stages after the 10,000-call tenant, on its endpoint.
FIRST_LANE = (
    ("call data from the runtime: 100-exchange append, 5,000-exchange transcript", ingest.run),
    ("change feed: a 1,000-call tenant's stream through apply_change, replayed", changes.run),
    # The dial pacing holds with CPUs busy (its `cpu_busy` case burns both), and the batch's
    # acceptance is measured against its function's timeout: both run beside the other lane.
    ("dialing: a 1,000-number batch, then dial pacing on a local stack of its own", dialing.run),
)
# Stages that start stacks of their own and need the machine to themselves: after both lanes.
ALONE = (
    ("the local stack: start, restart, resident memory, read load, overhead", local_stack.run),
    ("webhooks: a call's write to its event at a receiver, on a local stack", webhook_delivery.run),
)


def main() -> int:
    if sys.argv[1:]:
        return partial(sys.argv[1:])
    started = time.perf_counter()
    notes: list[str] = []
    sections: list[Section] = []
    stage = Stages("1")
    alone = Stages()
    with fixture.logs_to_file() as log_path:
        progress(f"log lines go to {log_path} (the second lane's to {SECOND_LANE_LOG})")
        with fixture.running_endpoint() as endpoint:
            progress(f"embedded AWS endpoint at {endpoint.url}")
            with SecondLane() as second_lane:
                in_lane("1")
                page_reads: dict[str, int] = {}
                with stage(TENANT_10K):
                    tenk = _list_tenant_figures(endpoint, notes, page_reads)
                first: list[Figure] = []
                for message, part in FIRST_LANE:
                    with stage(message):
                        first += part(endpoint, notes, emit)
                progress("waiting for the second lane")
                second = second_lane.result()
                in_lane("")
            # Ratios of wall times a few percent apart, which moved by up to 0.22 between runs of
            # the same code while the other lane ran: measured with the machine to themselves.
            gc.collect()
            with alone(COLD_STARTS):
                cold = cold_starts(endpoint, notes, sections)
            growth = listing.growth_figures(page_reads, second.page_reads, emit)
        last: list[Figure] = []
        for message, local_part in ALONE:
            with alone(message):
                last += local_part(notes, emit)
    elapsed = time.perf_counter() - started
    figures = [*tenk, *second.large, *growth, *cold, *first, *second.others, *last]
    notes += second.notes
    stage.times += second.stages + alone.times
    facts = [*machine_facts(), ("bench wall time", f"{elapsed:.0f} s")]
    write_markdown(figures, notes, facts, sections=[*sections, *second.sections, stage.section()])
    for note in notes:
        print(f"note: {note}")
    current, deferred = summary(figures)
    print(deferred)
    print(f"wrote {BENCHMARKS.name} in {elapsed:.0f} s")
    print(current)
    return 0


def _list_tenant_figures(
    endpoint: EmbeddedAws, notes: list[str], page_reads: dict[str, int]
) -> list[Figure]:
    """Everything measured on the 10,000-call tenant and its neighbour (one stack, dropped
    after); the items each list page read go into `page_reads`."""
    figures: list[Figure] = []
    stack = fixture.deploy(endpoint, "list")
    values = fixture.handler_environment(endpoint, stack)
    with fixture.activated(values):
        # Import the in-process handlers now, together with dialtone: one snapshot of the code.
        for function in (*IN_PROCESS_HANDLERS, *ingest.HANDLERS):
            load_handler(function)
        progress("seeding a 10,000-call tenant and a 3,000-call neighbour")
        dataset = fixture.seed_list_tenants(
            AccountStore(values["ACCOUNTS_TABLE"]), CallStore(values["CALLS_TABLE"])
        )
        seeding = Figure(
            "seed_seconds",
            f"{dataset.seed_seconds:.1f}",
            f"no goal; budget {SEED_BUDGET_SECONDS} s",
            None,
            f"{dataset.seeded_items} calls, "
            f"{dataset.seeded_items / dataset.seed_seconds:.0f} calls/s into moto",
        )
        emit(seeding)
        figures.append(seeding)
        if dataset.seed_seconds > SEED_BUDGET_SECONDS:
            notes.append(
                f"Seeding took {dataset.seed_seconds:.0f} s, over the "
                f"{SEED_BUDGET_SECONDS} s budget."
            )
        progress("rollups of the seeded calls, built through the stream consumer's code")
        rollup_seconds, rollup_writes = rollups.build(
            dataset, values["ANALYTICS_TABLE"], values["CALLS_TABLE"]
        )
        notes.append(
            f"The list tenant's rollups were built in {rollup_seconds:.0f} s"
            f" ({rollup_writes} items written) from its {len(dataset.calls)} seeded calls."
        )
        progress("list read amplification, one page per filter")
        figures += listing.run(dataset, notes, emit, page_reads)
        progress("rollups: the stream consumer's cost, and `total` per filter, pair and range")
        figures += rollups.consumer_figures(emit)
        for figure in rollups.item_size_figures(dataset.tenant_id, values["ANALYTICS_TABLE"]):
            emit(figure)
            figures.append(figure)
        figures += rollups.total_figures(dataset, notes, emit, singles=False)
        progress("stats over 30 days from the rollups")
        figures += stats.stats_figures(dataset, notes, emit)
        progress("search by 100 ids")
        figures += search.run(dataset, notes, emit)
        progress("get_call handler overhead")
        figures += overhead.run(dataset, values["CALLS_TABLE"], notes, emit)
    # The next stages need a quiet endpoint: free the 13,000 calls first.
    fixture.drop_tables(endpoint, stack)
    del dataset
    gc.collect()
    return figures


if __name__ == "__main__":
    sys.exit(main())
