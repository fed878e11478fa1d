import csv


def sniff(sample):
    return csv.Sniffer().sniff(sample).delimiter
