from bigapi.endpoints import COUNT  # noqa: F401
