import configparser


def read(path):
    c = configparser.ConfigParser()
    c.read(path)
    return c
