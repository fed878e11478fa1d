import os

def me():
    return os.getpid()
