RED = "\033[31m"
RESET = "\033[0m"


def red(text):
    return RED + text + RESET
