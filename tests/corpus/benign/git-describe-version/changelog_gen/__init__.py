from changelog_gen._build_info import COMMIT  # noqa: F401
