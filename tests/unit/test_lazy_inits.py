"""Packages entered without their `__init__` (dialtone.lazy_inits): the same names, loaded later."""

from __future__ import annotations

import importlib.metadata
import sys
from pathlib import Path
from typing import Any

from dialtone import lazy_inits
from tests import fresh

ROOT = Path(__file__).resolve().parents[2]


def _fresh(script: str) -> Any:
    return fresh.last_line(script, PYDANTIC_DISABLE_PLUGINS="__all__")


def _api_handlers() -> list[str]:
    return sorted(
        str(app.relative_to(ROOT))
        for app in (ROOT / "functions").glob("*/app.py")
        if "create_app(" in app.read_text()
    )


def test_the_api_handlers_load_no_other_resolver_and_no_unused_event_type() -> None:
    # When a fresh interpreter imports every API handler's module, as Lambda would import one
    handlers = _api_handlers()
    script = (
        "import importlib.util, json, sys\n"
        f"for n, path in enumerate({handlers!r}):\n"
        "    spec = importlib.util.spec_from_file_location(f'handler_{n}', path)\n"
        "    spec.loader.exec_module(importlib.util.module_from_spec(spec))\n"
        "prefixes = ('aws_lambda_powertools.event_handler.', "
        "'aws_lambda_powertools.utilities.data_classes.')\n"
        "loaded = [m for m in sys.modules if m.startswith(prefixes) or m == 'asyncio']\n"
        "print(json.dumps(sorted(loaded)))\n"
    )
    loaded = _fresh(script)

    # Then the HTTP resolver and its event types are loaded, and no other resolver
    assert len(handlers) >= 30
    assert "aws_lambda_powertools.event_handler.api_gateway" in loaded
    others = ("appsync", "bedrock_agent", "vpc_lattice", "lambda_function_url", "events_appsync")
    assert [m for m in loaded if m.split(".")[2:3] and m.split(".")[2] in others] == []
    # nor the event types of other services, nor asyncio (AppSync's)
    unused = ("sqs_event", "s3_event", "kafka_event", "dynamo_db_stream_event", "ses_event")
    assert [m for m in loaded if m.rsplit(".", 1)[-1] in unused] == []
    assert "asyncio" not in loaded
    # nor the merging of OpenAPI documents, which only the contract's generation would use
    assert "aws_lambda_powertools.event_handler.openapi.merge" not in loaded


def test_a_deferred_package_gives_the_objects_its_init_would_have_given() -> None:
    # When names are imported from the deferred packages, as code written for them does
    script = (
        "import json, sys, dialtone\n"
        "from aws_lambda_powertools.event_handler import Response, APIGatewayHttpResolver\n"
        "from aws_lambda_powertools.event_handler import content_types\n"
        "from aws_lambda_powertools.utilities.data_classes import SQSEvent\n"
        "import aws_lambda_powertools.event_handler.api_gateway as gateway\n"
        "import aws_lambda_powertools.utilities.data_classes.sqs_event as sqs\n"
        "import aws_lambda_powertools.event_handler as package\n"
        "same = [Response is gateway.Response,\n"
        "        APIGatewayHttpResolver is gateway.APIGatewayHttpResolver,\n"
        "        SQSEvent is sqs.SQSEvent, content_types.APPLICATION_JSON == 'application/json',\n"
        "        'AppSyncResolver' in package.__all__,\n"
        "        package.AppSyncResolver.__name__ == 'AppSyncResolver']\n"
        "try:\n"
        "    package.NoSuchResolver\n"
        "except AttributeError:\n"
        "    same.append(True)\n"
        "print(json.dumps(same))\n"
    )

    # Then each is the object its submodule defines; a name nobody exports is still an error
    assert _fresh(script) == [True] * 7


def test_a_package_whose_init_does_more_than_re_export_is_not_deferred(tmp_path: Path) -> None:
    # Given an `__init__` that runs code of its own, and one that only re-exports
    busy = tmp_path / "busy_init.py"
    busy.write_text('"""Doc."""\nfrom .a import A\nREGISTRY = {}\n')
    plain = tmp_path / "plain_init.py"
    plain.write_text(
        '"""Doc."""\nfrom __future__ import annotations\nfrom .a import A, B as C\n'
        "from pkg.b.c import D\n__all__ = ['A', 'C', 'D']\n"
    )

    # Then only the second is read as re-exports, each name with where it comes from
    assert lazy_inits.reexports("pkg", str(busy)) is None
    assert lazy_inits.reexports("pkg", str(plain)) == {
        "A": ("pkg.a", "A"),
        "C": ("pkg.a", "B"),
        "D": ("pkg.b.c", "D"),
    }


def test_a_package_already_imported_is_left_as_it_is() -> None:
    import aws_lambda_powertools.event_handler as imported

    assert lazy_inits.defer("aws_lambda_powertools.event_handler") is False
    assert sys.modules["aws_lambda_powertools.event_handler"] is imported


def test_a_module_that_is_not_a_package_is_not_deferred() -> None:
    assert "tabnanny" not in sys.modules

    assert lazy_inits.defer("tabnanny") is False
    assert "tabnanny" not in sys.modules


def test_a_version_and_a_script_only_block_do_not_stop_the_deferral(tmp_path: Path) -> None:
    # Given an `__init__` that re-exports, sets its version and tests itself when run as a script
    init = tmp_path / "versioned_init.py"
    init.write_text(
        '"""Doc."""\nfrom .a import A\n__version__ = "9.0.42"\n'
        "if __name__ == '__main__':\n    import doctest\n    doctest.testmod()\n"
    )
    # and one whose version is computed, which only running it gives
    computed = tmp_path / "computed_init.py"
    computed.write_text('"""Doc."""\nfrom .a import A\n__version__ = ".".join(["9", "0"])\n')

    # Then the first is read as its re-exports, the second must run
    assert lazy_inits.reexports("pkg", str(init)) == {"A": ("pkg.a", "A")}
    assert lazy_inits.reexports("pkg", str(computed)) is None


def test_phone_numbers_are_read_without_the_packages_init() -> None:
    # When a fresh interpreter validates a number as the API does
    script = (
        "import json, sys\n"
        "from dialtone import phones\n"
        "number = phones.to_e164('+1 (415) 555-0123')\n"
        "import phonenumbers\n"
        "from phonenumbers.phonenumberutil import format_number\n"
        "from phonenumbers.phonenumbermatcher import PhoneNumberMatcher\n"
        "print(json.dumps([number, phonenumbers.format_number is format_number,\n"
        "    phonenumbers.__version__, phonenumbers.PhoneNumberMatcher is PhoneNumberMatcher]))\n"
    )

    # Then the number is its E.164 form, the names are the submodules' own, the version is kept
    number, same, version, matcher = _fresh(script)
    assert number == "+14155550123"
    assert same
    assert matcher
    assert version == importlib.metadata.version("phonenumbers")


def test_the_formatter_and_matcher_wait_for_first_use() -> None:
    # When a fresh interpreter validates a number
    script = (
        "import json, sys\n"
        "from dialtone import phones\n"
        "phones.to_e164('+442083661177')\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('phonenumbers.'))))\n"
    )
    loaded = _fresh(script)

    # Then the validation's modules are loaded, and not the formatter, matcher or short numbers'
    assert "phonenumbers.phonenumberutil" in loaded
    unused = ("asyoutypeformatter", "phonenumbermatcher", "shortnumberinfo")
    assert [m for m in loaded if m.split(".")[1] in unused] == []
