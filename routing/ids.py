"""Ids that come from outside (a context value, a JSON body) checked before they reach SQL."""


def is_db_id(value) -> bool:
    """A value that can be a primary key (an int in 1 .. 2**63-1, not a bool)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63
