def norm(text):
    return "\n".join(l.rstrip() for l in text.splitlines()) + "\n"
