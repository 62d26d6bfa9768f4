"""`StoreError`: its own module so the opening checks and the connection both raise it."""


class StoreError(Exception):
    """The database file cannot be used (not SQLite, newer schema, damaged, in use by another writer,
    unreadable): a user-facing message."""
