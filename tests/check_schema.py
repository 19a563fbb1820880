#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Validate JSON files against one of boxmix's JSON Schemas (draft 2020-12).

    /usr/bin/python3 tests/check_schema.py SCHEMA JSON...

Checks that SCHEMA is itself a valid draft 2020-12 schema, then validates each JSON
file and prints every error as `FILE: $.json.path: message`. Exit status: 0 when all
files are valid, 1 on any error (including unreadable or malformed files), 2 on a
usage error.

Besides the standard keywords this enforces boxmix's extension keyword
`x-evenItems: true` (an array of even length: polygon rings are x, y pairs), which
JSON Schema cannot express and other validators ignore. The JSON is read strictly:
NaN/Infinity and duplicate object keys are errors, as they are for boxmix.

Uses Debian's python3-jsonschema (Draft202012Validator).
"""
import json
import sys

try:
    import jsonschema
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError
except ImportError:  # pragma: no cover - depends on the machine
    sys.stderr.write("check_schema.py: needs python3-jsonschema (>= 4, draft 2020-12)\n")
    sys.exit(2)


def even_items(validator, value, instance, schema):
    if value is True and validator.is_type(instance, "array") and len(instance) % 2 != 0:
        yield ValidationError("expected an even number of items (x, y pairs), got %d"
                              % len(instance))


Validator = jsonschema.validators.extend(Draft202012Validator, {"x-evenItems": even_items})


class JSONProblem(Exception):
    pass


def no_constants(name):
    raise JSONProblem("%s is not valid JSON" % name)


def no_duplicates(pairs):
    obj = {}
    for key, value in pairs:
        if key in obj:
            raise JSONProblem("duplicate key %s" % json.dumps(key))
        obj[key] = value
    return obj


def load(path):
    """Read strict JSON; returns (document, None) or (None, message)."""
    try:
        with open(path, "rb") as f:
            text = f.read().decode("utf-8")
        return json.loads(text, parse_constant=no_constants,
                          object_pairs_hook=no_duplicates), None
    except OSError as e:
        return None, "cannot read: %s" % (e.strerror or e)
    except UnicodeDecodeError as e:
        return None, "not UTF-8: %s" % e
    except json.JSONDecodeError as e:
        return None, "line %d, column %d: %s" % (e.lineno, e.colno, e.msg)
    except JSONProblem as e:
        return None, str(e)


def describe(error):
    """The error's message (shortened); for anyOf/oneOf, the most specific complaint
    among the branches (the deepest one), which usually names the real problem."""
    message = shorten(error.message)
    if error.context:
        best, stack = None, list(error.context)
        while stack:
            e = stack.pop(0)
            if best is None or len(e.absolute_path) > len(best.absolute_path):
                best = e
            stack.extend(e.context or [])
        message += " (closest: %s: %s)" % (best.json_path, shorten(best.message))
    return message


def shorten(message, limit=160):
    return message if len(message) <= limit else message[:limit] + "..."


def error_order(error):
    """Document order: array indices compare as numbers, keys as strings."""
    path = [(0, p, "") if isinstance(p, int) else (1, 0, str(p)) for p in error.absolute_path]
    return path, error.message


def main(argv):
    if len(argv) < 3 or argv[1] in ("-h", "--help"):
        out = sys.stdout if len(argv) >= 2 and argv[1] in ("-h", "--help") else sys.stderr
        out.write("usage: check_schema.py SCHEMA JSON...\n")
        return 0 if out is sys.stdout else 2

    schema, problem = load(argv[1])
    if problem is not None:
        print("%s: %s" % (argv[1], problem))
        return 1
    try:
        Validator.check_schema(schema)
    except jsonschema.exceptions.SchemaError as e:
        print("%s: not a valid draft 2020-12 schema: %s: %s" % (argv[1], e.json_path, e.message))
        return 1
    validator = Validator(schema)

    failed = False
    for path in argv[2:]:
        doc, problem = load(path)
        if problem is not None:
            print("%s: %s" % (path, problem))
            failed = True
            continue
        errors = sorted(validator.iter_errors(doc), key=error_order)
        for e in errors:
            print("%s: %s: %s" % (path, e.json_path, describe(e)))
        if errors:
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
