import logging

FORMAT = "%(asctime)s %(levelname)s %(message)s"


def formatter():
    return logging.Formatter(FORMAT)
