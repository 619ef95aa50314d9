"""The whole API on one machine: embedded AWS, the template's resources, SAM's API Gateway
emulator over warm worker processes, event-source pollers, and demo data."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from local.api import LocalApi
from local.endpoint import EmbeddedAws
from local.pollers import EventSources
from local.provision import ROOT, TEMPLATE, Stack, load_template, provision
from local.runtime import WorkerRuntime


@dataclass
class LocalStack:
    """Start with `start()`, stop with `stop()`; `info` is what `.dialtone/local.json` holds."""

    api_port: int = 3000
    aws_port: int = 0
    demo_calls: int = 300
    log: IO[str] | None = None
    prefix: str = field(default_factory=lambda: f"dialtone-{uuid.uuid4().hex[:6]}")
    info: dict[str, Any] = field(default_factory=dict)

    def start(self) -> dict[str, Any]:
        from local.api import PortInUse, port_is_free

        if self.api_port and not port_is_free(self.api_port):
            raise PortInUse(self.api_port)
        if self.aws_port and not port_is_free(self.aws_port):
            raise PortInUse(self.aws_port)
        self.aws = EmbeddedAws(port=self.aws_port).start()
        template = load_template()
        self.stack: Stack = provision(self.aws.session(), self.prefix, template)
        # The simulator's placements, shared by the dialer's and the sweeper's workers (and
        # read by tests and benchmarks): a local-only setting, so not in the template.
        self.simulator_dir = ROOT / ".dialtone" / "simulator" / self.prefix
        environments = {
            name: self.stack.function_environment(name) for name in self.stack.functions()
        }
        local_env = {**self.aws.environment(), "DIALTONE_SIMULATOR_DIR": str(self.simulator_dir)}
        self.runtime = WorkerRuntime(ROOT, extra_env=local_env, log=self.log)
        self.api = LocalApi(ROOT, TEMPLATE, self.runtime, environments, port=self.api_port)
        self.api.start()
        # Status callbacks come back to this API: its URL is known only now that it listens.
        # The runner reads these dictionaries on each invocation, and no worker started yet.
        self.stack.overrides["PUBLIC_BASE_URL"] = self.api.url
        for name, variables in environments.items():
            variables.update(self.stack.function_environment(name))
        self.api.warm()
        self.event_sources = EventSources(self.aws.session(), self.stack, self.runtime, self.api)
        self.event_sources.start()
        self.info = {
            "api_url": self.api.url,
            "aws_endpoint_url": self.aws.url,
            "accounts_table": self.stack.names["AccountsTable"],
            "calls_table": self.stack.names["CallsTable"],
            "recordings_bucket": self.stack.names["RecordingsBucket"],
            "simulator_dir": str(self.simulator_dir),
        }
        if self.demo_calls:
            self.info.update(self._demo())
        return self.info

    def _demo(self) -> dict[str, Any]:
        from dialtone.accounts import AccountStore
        from dialtone.store import CallStore
        from local.demo import create_demo

        session = self.aws.session()
        dynamodb = session.client("dynamodb")
        demo = create_demo(
            AccountStore(self.stack.names["AccountsTable"], dynamodb=dynamodb),
            CallStore(self.stack.names["CallsTable"], dynamodb=dynamodb),
            session.client("s3"),
            self.stack.names["RecordingsBucket"],
            count=self.demo_calls,
        )
        return {
            "api_key": demo.api_key,
            "tenant_id": demo.tenant_id,
            "demo_calls": len(demo.call_ids),
            "example_call_id": demo.recorded_call_ids[0] if demo.recorded_call_ids else None,
        }

    def write_info(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.info, indent=2) + "\n")

    def stop(self) -> None:
        for part in ("event_sources", "api", "runtime", "aws"):
            component = getattr(self, part, None)
            if component is not None:
                component.stop()
        simulator_dir = getattr(self, "simulator_dir", None)
        if simulator_dir is not None:
            import shutil

            shutil.rmtree(simulator_dir, ignore_errors=True)
