FLAGS = {}


def enabled(name):
    return FLAGS.get(name, False)
