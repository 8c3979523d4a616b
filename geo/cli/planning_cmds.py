"""Placeholder: this command group is added by its issue."""


def register(sub) -> None:
    return None
