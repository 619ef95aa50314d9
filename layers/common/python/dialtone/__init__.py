"""Dialtone: the shared domain layer of the Calls API."""

from dialtone import lazy_inits

for _package in lazy_inits.DEFERRED:
    lazy_inits.defer(_package)
