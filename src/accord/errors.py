"""Typed application errors; each carries its HTTP status and, where it applies, the field."""

from __future__ import annotations


class AppError(Exception):
    """An error a user can act on: a message in words, a status, optionally the field at fault."""

    status: int = 400
    title: str = "Bad request"
    #: when True the unit of work still commits what was flushed before the error (a failed
    #: sign-in must count towards the lockout even though the request is refused)
    persist: bool = False

    def __init__(self, message: str, *, field: str | None = None, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if status is not None:
            self.status = status


class InvalidInput(AppError):
    status = 400
    title = "Invalid input"


class Unauthorized(AppError):
    status = 401
    title = "Not signed in"


class FailedSignIn(Unauthorized):
    persist = True


class Forbidden(AppError):
    status = 403
    title = "Forbidden"


class NotFound(AppError):
    status = 404
    title = "Not found"


class MergedAway(NotFound):
    """A stakeholder record merged into another: gone as itself, with a pointer to the
    survivor (`merged_into`) for those who may see the survivor."""

    def __init__(self, message: str, *, merged_into: int) -> None:
        super().__init__(message)
        self.merged_into = merged_into


class Conflict(AppError):
    status = 409
    title = "Conflict"


class RuleViolation(AppError):
    """The input is well-formed but breaks a business or compliance rule."""

    status = 422
    title = "Rule violation"


class Locked(AppError):
    status = 423
    title = "Locked"
    persist = True
