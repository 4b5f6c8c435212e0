"""Paperwire: a self-hostable research-paper hub."""

__version__ = "0.1.0"


class PaperwireError(Exception):
    """An error a user can act on; its message is one line and says what to do."""
