def bash(words):
    return "complete -W %r" % " ".join(words)
