"""A small subset of JSON Schema: type, required, properties."""

_TYPES = {"object": dict, "array": list, "string": str, "integer": int, "number": (int, float),
          "boolean": bool, "null": type(None)}


def validate(instance, schema, path="$"):
    t = schema.get("type")
    if t and not isinstance(instance, _TYPES[t]):
        raise ValueError("%s: expected %s" % (path, t))
    for key in schema.get("required", []):
        if key not in instance:
            raise ValueError("%s: missing %s" % (path, key))
    for key, sub in schema.get("properties", {}).items():
        if isinstance(instance, dict) and key in instance:
            validate(instance[key], sub, "%s.%s" % (path, key))
    return True
