"""Store errors: French messages for the staff, never personal data."""

from citeslab_tui.domain.errors import CitesLabError


class StoreError(CitesLabError):
    """A save or an open failed; the message says what happened and what to do."""


class DatabaseCorrupt(StoreError):
    """The database file is damaged; it is left untouched."""


class DatabaseLocked(StoreError):
    """Another process holds the data folder."""


class DatabaseTooNew(StoreError):
    """The file was written by a newer version of the app."""
