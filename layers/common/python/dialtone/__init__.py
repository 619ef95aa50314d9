"""Dialtone: the shared domain layer of the Calls API."""

from dialtone import startup

startup.pause_collection()  # inside a function, until its init is done (dialtone.startup)

from dialtone import lazy_inits  # noqa: E402

for _package in lazy_inits.DEFERRED:
    lazy_inits.defer(_package)
