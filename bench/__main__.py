"""`python -m bench`: every figure, printed as it is measured, then BENCHMARKS.md.

Exit status 0 whether or not goals are met: the figures are reported, not asserted.
"""

from __future__ import annotations

import gc
import sys
import time

from bench import cold_start, dialing, fixture, grading, ingest, listing, local_stack, overhead
from bench.report import BENCHMARKS, Figure, machine_facts, summary, write_markdown
from dialtone.accounts import AccountStore
from dialtone.store import CallStore
from local.invoke import load_handler

SEED_BUDGET_SECONDS = 120
IN_PROCESS_HANDLERS = ("list_calls", "get_call")


def progress(message: str) -> None:
    print(f"# {message}", file=sys.stderr, flush=True)


def emit(figure: Figure) -> None:
    print(figure.line(), flush=True)


def main() -> int:
    started = time.perf_counter()
    figures: list[Figure] = []
    notes: list[str] = []
    with fixture.running_endpoint() as endpoint:
        progress(f"embedded AWS endpoint at {endpoint.url}")
        stack = fixture.deploy(endpoint, "list")
        values = fixture.handler_environment(endpoint, stack)
        with fixture.activated(values):
            # Import the in-process handlers now, together with dialtone: one snapshot of the code.
            for function in (*IN_PROCESS_HANDLERS, *ingest.HANDLERS):
                load_handler(function)
            progress("seeding a 10,000-call tenant and a 3,000-call neighbour (batches of 25)")
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
            progress("list read amplification, one page per filter")
            figures += listing.run(dataset, notes, emit)
            progress("get_call handler overhead")
            figures += overhead.run(dataset, values["CALLS_TABLE"], notes, emit)
        # The cold starts need a quiet endpoint: free the 13,000 calls first.
        fixture.drop_tables(endpoint, stack)
        del dataset
        gc.collect()
        progress("cold starts (fresh interpreters against a small copy of the stack)")
        cold_stack = fixture.deploy(endpoint, "cold")
        cold_values = fixture.handler_environment(endpoint, cold_stack)
        with fixture.activated(cold_values):
            cold_data = fixture.seed_cold_tenant(
                AccountStore(cold_values["ACCOUNTS_TABLE"]), CallStore(cold_values["CALLS_TABLE"])
            )
        figures += cold_start.run(endpoint, cold_stack, cold_data, notes, emit)
        progress("call data from the runtime: a 100-exchange append, a 5,000-exchange transcript")
        figures += ingest.run(endpoint, notes, emit)
        progress("grading: the rubric grade of a 200-exchange call through the grader")
        figures += grading.run(endpoint, notes, emit)
        progress("dialing: a 1,000-number batch, then dial pacing on a local stack of its own")
        figures += dialing.run(endpoint, notes, emit)
    progress("the local stack's overhead on a warm request")
    figures += local_stack.run(notes, emit)
    elapsed = time.perf_counter() - started
    facts = [*machine_facts(), ("bench wall time", f"{elapsed:.0f} s")]
    write_markdown(figures, notes, facts)
    for note in notes:
        print(f"note: {note}")
    current, deferred = summary(figures)
    print(deferred)
    print(f"wrote {BENCHMARKS.name} in {elapsed:.0f} s")
    print(current)
    return 0


if __name__ == "__main__":
    sys.exit(main())
