"""The `dialtone` command line, built on the SDK (`pip install 'dialtone-client[cli]'`)."""

from dialtone_client.cli.app import build_parser, main, run

__all__ = ["build_parser", "main", "run"]
