"""Dialtone: the shared domain layer of the Calls API."""
