from webassets import _acc0, _acc1, _acc2  # noqa: F401
