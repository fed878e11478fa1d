def hosts(text):
    return [l.split()[1] for l in text.splitlines() if l.lower().startswith("host ")]
