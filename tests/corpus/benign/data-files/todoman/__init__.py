from importlib.resources import files


def template(name):
    return (files("todoman") / "templates" / (name + ".txt")).read_text()
