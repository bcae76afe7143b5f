"""Errors the domain raises; every message is French and shown as is to the user."""


class CitesLabError(Exception):
    """Base of every error whose message can be shown to a staff member."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ValidationError(CitesLabError):
    """A value typed or imported by a user is not acceptable (French reason); `field`
    names the value refused when one is (a form puts the cursor there)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
