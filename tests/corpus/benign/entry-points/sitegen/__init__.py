import sys


class MarkdownPlugin:
    suffix = ".md"


def main():
    print("sitegen", sys.argv[1:])


def serve():
    print("serving")


def preview():
    print("preview")
