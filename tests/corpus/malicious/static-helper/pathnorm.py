import os.path


def norm(p):
    return os.path.normpath(p)
