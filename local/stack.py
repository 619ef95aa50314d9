"""The whole API on one machine: embedded AWS, the template's resources, SAM's API Gateway
emulator over warm worker processes, event-source pollers, and demo data."""

from __future__ import annotations

import json
import logging
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from local.api import LocalApi
from local.endpoint import EmbeddedAws
from local.pollers import EventSources
from local.provision import ROOT, TEMPLATE, Stack, load_template, provision
from local.runtime import WorkerRuntime

if TYPE_CHECKING:
    from local.demo import Demo, DemoIngestion
    from local.voice import VoiceRuntime

LOG = logging.getLogger("dialtone.local")

# What `info` says of the demo data, restored with the state.
DEMO_INFO = ("api_key", "tenant_id", "demo_calls", "example_call_id")

# How long `start` waits for the recording indexer to read the example call's recording.
DEMO_INDEX_TIMEOUT = 30

# Settings of the local stack only, given to every function it runs; the template never sets
# them (tests/unit/test_template.py checks). Webhooks may go to a receiver on 127.0.0.1.
LOCAL_ONLY_SETTINGS = {"WEBHOOK_ALLOW_LOCAL_URLS": "true"}
# And a failed webhook delivery is retried within seconds: a back-off base of 1 s instead of the
# template's 60 s (the same schedule, 60 times faster).
LOCAL_WEBHOOK_RETRIES = {"WEBHOOK_RETRY_BASE_SECONDS": "1"}

# The API functions that may run two workers where the others keep one: a page of calls spends
# most of its time waiting for the AWS endpoint (two queries), not computing, so one worker made
# every client queue behind it. Measured with 20 clients reading the demo data (list, call,
# transcript in turn): p95 of 580-730 ms with one worker, 390-420 ms with two, for 70 MiB more.
TWO_WORKERS = frozenset({"ListCallsFunction"})


@dataclass
class LocalStack:
    """Start with `start()`, stop with `stop()`; `info` is what `.dialtone/local.json` holds."""

    api_port: int = 3000
    aws_port: int = 0
    demo_calls: int = 300
    log: IO[str] | None = None
    # Where the state is saved on `stop` and restored from on `start`; None: nothing is kept.
    state_dir: Path | None = None
    prefix: str = field(default_factory=lambda: f"dialtone-{uuid.uuid4().hex[:6]}")
    info: dict[str, Any] = field(default_factory=dict)
    # Whether `start` restored a saved state (so made no demo data).
    restored: bool = False
    _demo: DemoIngestion | None = None
    _started: bool = False

    def start(self) -> dict[str, Any]:
        from local.api import PortInUse, port_is_free

        if self.api_port and not port_is_free(self.api_port):
            raise PortInUse(self.api_port)
        if self.aws_port and not port_is_free(self.aws_port):
            raise PortInUse(self.aws_port)
        self.aws = EmbeddedAws(port=self.aws_port).start()
        saved = self._restore()
        if saved is None:
            self.stack: Stack = provision(self.aws.session(), self.prefix, load_template())
            # The demo calls are ingested while the API starts (in processes of their own):
            # their recordings wait in the queue for the indexer's poller.
            self._demo = self._start_demo() if self.demo_calls else None
        # The simulator's placements, shared by the dialer's and the sweeper's workers (and
        # read by tests and benchmarks): a local-only setting, so not in the template. Kept
        # with the saved state when there is one.
        self.simulator_dir = (
            self.state_dir / "simulator"
            if self.state_dir is not None
            else ROOT / ".dialtone" / "simulator" / self.prefix
        )
        self._start_api()
        self.event_sources = EventSources(self.aws.session(), self.stack, self.runtime, self.api)
        self.event_sources.start()
        self.voice = self._start_voice()
        self.info = {
            "api_url": self.api.url,
            "aws_endpoint_url": self.aws.url,
            "accounts_table": self.stack.names["AccountsTable"],
            "calls_table": self.stack.names["CallsTable"],
            "recordings_bucket": self.stack.names["RecordingsBucket"],
            "simulator_dir": str(self.simulator_dir),
            # What every function gets besides its own variables (`python -m local invoke`).
            "local_environment": self.local_environment,
        }
        if saved is not None:
            self.info.update({k: v for k, v in saved.items() if k in DEMO_INFO})
        elif self._demo is not None:
            self.info.update(self._demo_info(self._demo.result()))
        self._started = True
        return self.info

    def _ingestion_environment(self) -> dict[str, str]:
        """The ingestion functions' variables, pointed at the embedded endpoint (so upload
        links are presigned for 127.0.0.1), and the code on the path."""
        paths = [str(ROOT), str(ROOT / "layers" / "common" / "python")]
        return {
            **self.stack.function_environment("UpsertCallFunction"),
            **self.stack.function_environment("CreateRecordingUploadFunction"),
            **self.aws.environment(),
            "PYTHONPATH": os.pathsep.join(paths),
        }

    def _start_voice(self) -> VoiceRuntime:
        """The voice runtime's stand-in on simulated calls (`local.voice`)."""
        from local.voice import VoiceRuntime

        voice = VoiceRuntime(self.simulator_dir, self._ingestion_environment(), self.log)
        voice.start()
        return voice

    def _restore(self) -> dict[str, Any] | None:
        """Put the saved state (if any, and if made from this template) into the endpoint;
        what `info` said of the demo then, or None when starting afresh."""
        from local import state

        if self.state_dir is None or not state.exists(self.state_dir):
            return None
        try:
            self.stack, saved = state.load(self.state_dir)
        except state.StaleState as error:
            LOG.warning("%s: starting afresh (`--reset` deletes the old state)", error)
            return None
        self.prefix = self.stack.prefix
        # A queue's URL names the endpoint it was created on, whose port may have changed.
        old_url = str(saved.get("aws_endpoint_url", ""))
        if old_url:
            self.stack.urls = {
                k: v.replace(old_url, self.aws.url) for k, v in self.stack.urls.items()
            }
        self.restored = True
        return saved

    def _start_api(self) -> None:
        """SAM's emulator over the worker runtime; a function's worker starts on its first
        invocation (Lambda's cold start), so a stack that serves a few routes runs a few."""
        environments = {
            name: self.stack.function_environment(name) for name in self.stack.functions()
        }
        local_env = {
            **self.aws.environment(),
            "DIALTONE_SIMULATOR_DIR": str(self.simulator_dir),
            **LOCAL_ONLY_SETTINGS,
            **LOCAL_WEBHOOK_RETRIES,
        }
        self.local_environment = local_env
        self.runtime = WorkerRuntime(
            ROOT,
            extra_env=local_env,
            log=self.log,
            single_worker=self.stack.api_functions() - TWO_WORKERS,
        )
        self.api = LocalApi(
            ROOT, TEMPLATE, self.runtime, environments, port=self.api_port, log=self.log
        )
        self.api.start()
        # Status callbacks come back to this API: its URL is known only now that it listens.
        # The runner reads these dictionaries on each invocation, and no worker started yet.
        self.stack.overrides["PUBLIC_BASE_URL"] = self.api.url
        for name, variables in environments.items():
            variables.update(self.stack.function_environment(name))
        self.environments = environments

    def _start_demo(self) -> DemoIngestion:
        """Create the demo tenant, and start ingesting its calls in processes configured as the
        ingestion functions are: their own environment, pointed at the embedded endpoint (so
        upload links are presigned for 127.0.0.1, where the demo's PUTs and a curl go)."""
        from dialtone.accounts import AccountStore
        from local.demo import DemoIngestion

        accounts = AccountStore(
            self.stack.names["AccountsTable"], dynamodb=self.aws.session().client("dynamodb")
        )
        environment = {
            **self.stack.function_environment("UpsertCallFunction"),
            **self.stack.function_environment("CreateRecordingUploadFunction"),
            **self.aws.environment(),
        }
        return DemoIngestion(accounts, environment, self.demo_calls, self.log)

    def _demo_info(self, demo: Demo) -> dict[str, Any]:
        """What `info` says of the demo, once the example call's recording is indexed (or the
        wait for it timed out), so the curl printed for it works at once."""
        from dialtone.store import CallStore
        from local.pollers import wait_until

        calls = CallStore(
            self.stack.names["CallsTable"], dynamodb=self.aws.session().client("dynamodb")
        )
        example = demo.recorded_call_ids[0] if demo.recorded_call_ids else None
        if example is not None and not wait_until(
            lambda: calls.get_call(demo.tenant_id, example).call.recording_format is not None,
            timeout=DEMO_INDEX_TIMEOUT,
        ):
            LOG.warning(
                "the example call's recording was not indexed within %d s", DEMO_INDEX_TIMEOUT
            )
        if not wait_until(self._rolled_up(demo), timeout=DEMO_INDEX_TIMEOUT):
            LOG.warning("the demo calls were not rolled up within %d s", DEMO_INDEX_TIMEOUT)
        return {
            "api_key": demo.api_key,
            "tenant_id": demo.tenant_id,
            "demo_calls": len(demo.call_ids),
            "example_call_id": example,
        }

    def _rolled_up(self, demo: Demo) -> Callable[[], bool]:
        """Whether the stream consumer counted every demo call (so that the first list's
        `total` is the whole demo), asked anew at each call."""
        from dialtone.analytics.rollup_store import RollupStore
        from dialtone.analytics.totals import TotalCounter
        from dialtone.listing import CallFilters
        from dialtone.store import CallStore

        dynamodb = self.aws.session().client("dynamodb")
        counter = TotalCounter(
            CallStore(self.stack.names["CallsTable"], dynamodb=dynamodb),
            RollupStore(self.stack.names["AnalyticsTable"], dynamodb=dynamodb),
        )

        def counted() -> bool:
            answer = counter.total(demo.tenant_id, CallFilters())
            return answer is not None and answer.total >= len(demo.call_ids)

        return counted

    def write_info(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.info, indent=2) + "\n")

    def stop(self) -> None:
        """Stop every part; with a `state_dir`, then save the state (in the background, see
        `state.save_in_background`)."""
        event_sources = getattr(self, "event_sources", None)
        if event_sources is not None:  # no new invocation from now on
            event_sources.signal_stop()
        for part in ("_demo", "voice", "api", "runtime", "event_sources"):
            component = getattr(self, part, None)
            if component is not None:
                component.stop()
        aws = getattr(self, "aws", None)
        if aws is not None:
            aws.stop()
        if self.state_dir is not None and self._started:
            from local import state

            state.save_in_background(self.state_dir, self.stack, self.info)
        simulator_dir = getattr(self, "simulator_dir", None)
        if simulator_dir is not None and self.state_dir is None:
            import shutil

            shutil.rmtree(simulator_dir, ignore_errors=True)
