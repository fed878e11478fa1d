try:
    from intreeproj._buildinfo import BUILT_ON  # noqa: F401
except ImportError:
    BUILT_ON = None
