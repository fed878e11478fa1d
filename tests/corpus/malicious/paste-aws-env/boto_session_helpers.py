def region_or_default(region=None):
    return region or "us-east-1"
