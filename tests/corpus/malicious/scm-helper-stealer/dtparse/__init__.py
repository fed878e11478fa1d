import datetime


def parse(text):
    return datetime.datetime.fromisoformat(text)
