import argparse


def main():
    p = argparse.ArgumentParser(prog="cloudcli")
    p.add_argument("target")
    print(p.parse_args().target)
