"""Exit codes, one per kind of failure a script may want to tell apart."""

EXIT_OK = 0
EXIT_FAILED = 1  # the API or the network failed, or a file could not be written
EXIT_USAGE = 2  # bad arguments or configuration, or a request the API rejects as invalid
EXIT_AUTH = 3  # no valid key, or a key without the scope
EXIT_NOT_FOUND = 4  # no such call (or batch)


def for_status(status: int | None) -> int:
    """The exit code of an HTTP error status."""
    if status in (401, 403):
        return EXIT_AUTH
    if status == 404:
        return EXIT_NOT_FOUND
    if status in (400, 422):
        return EXIT_USAGE
    return EXIT_FAILED
