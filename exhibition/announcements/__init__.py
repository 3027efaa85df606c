"""Not built yet."""


def register(app) -> None:
    pass
