def lint(doc):
    return [] if "apiVersion" in doc else ["missing apiVersion"]
