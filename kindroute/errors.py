"""Errors that reach users. Every message is Dutch, specific, and never a traceback.

The CLI prints ``str(error)`` and exits with ``error.exit_code``; the TUI shows it
as a notification. Details for developers go to the log.
"""

from __future__ import annotations


class KindrouteError(Exception):
    """Base class: an expected failure with a message for the user."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InvalidInput(KindrouteError):
    """Input from a user or file that cannot be accepted (a bad date, a too-long name, …)."""

    exit_code = 2


class NotFound(KindrouteError):
    exit_code = 3


class StepNotAllowed(KindrouteError):
    """A step that is blocked by its guards or that does not exist from the current step."""

    exit_code = 4

    def __init__(self, message: str, reasons: tuple[str, ...] | list[str] = ()) -> None:
        super().__init__(message)
        self.reasons = tuple(reasons)

    def __str__(self) -> str:
        if not self.reasons:
            return self.message
        return self.message + "\n" + "\n".join(f"  - {r}" for r in self.reasons)


class AccessDenied(KindrouteError):
    exit_code = 5


class Conflict(KindrouteError):
    """Someone else changed the case in the meantime (optimistic locking)."""

    exit_code = 6


class IdentityRequired(KindrouteError):
    exit_code = 7


class Cancelled(KindrouteError):
    """Work that was asked to stop stopped (e.g. the count of a list nobody shows any more)."""

    def __init__(self, message: str = "Afgebroken.") -> None:
        super().__init__(message)


class DatabaseProblem(KindrouteError):
    """The database cannot be used: locked, corrupt, foreign, or from a newer kindroute."""

    exit_code = 8


class RouteInvalid(KindrouteError):
    """A route file with problems; ``problems`` lists them all."""

    exit_code = 1

    def __init__(self, source: str, problems: list[str]) -> None:
        super().__init__(f"Route {source} is ongeldig ({len(problems)} probleem/problemen)")
        self.source = source
        self.problems = problems

    def __str__(self) -> str:
        return self.message + ":\n" + "\n".join(f"  - {p}" for p in self.problems)


class RouteMismatch(KindrouteError):
    """A route file given with ``--route`` that is not the route the database holds."""

    exit_code = 9
