"""safe-pip demo: an honest package."""


def main():
    print("demo-benign works")
