import tinyutils


def run():
    return tinyutils.chunks([1, 2, 3, 4], 2)
