"""What a failed command tells its caller: one line on stderr and an exit code per kind of failure.

| code | meaning |
|---|---|
| 0 | done |
| 1 | the command ran and found a problem (drift, dead letters left, an import declined or refused whole) |
| 2 | usage: a missing or invalid option or argument, a file that cannot be read |
| 3 | the API refused the request (4xx: invalid input, not logged in, no permission, not found) |
| 4 | the system cannot be reached or is unavailable (connection refused, timeout, 502/503/504) |
| 5 | the system failed (a 5xx answer other than those: a bug on the server side) |
"""

DONE, PROBLEM, USAGE, REFUSED, UNREACHABLE, SERVER_ERROR = 0, 1, 2, 3, 4, 5


class CliError(Exception):
    """A failure the command reports as one line, with its exit code."""

    exit_code = PROBLEM

    def __init__(self, message, exit_code=None):
        super().__init__(" ".join(str(message).split()))  # one line, whatever the server sent
        if exit_code is not None:
            self.exit_code = exit_code

    @property
    def message(self):
        return self.args[0]


class Problem(CliError):
    exit_code = PROBLEM


class Usage(CliError):
    exit_code = USAGE


class Refused(CliError):
    """A 4xx answer; `status` and `body` keep what the server said."""

    exit_code = REFUSED

    def __init__(self, message, status=None, body=None):
        super().__init__(message)
        self.status, self.body = status, body


class Unreachable(CliError):
    exit_code = UNREACHABLE


class ServerError(CliError):
    exit_code = SERVER_ERROR
