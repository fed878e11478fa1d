from colourtab._table import TABLE


def lookup(name):
    return TABLE[name.lower()]
