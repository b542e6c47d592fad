#!/usr/bin/env python3
"""Validate a JSON document against a JSON schema, offline.

usage: validate-json-schema.py SCHEMA DOCUMENT [--csaf-refs DIR]

--csaf-refs DIR registers the FIRST CVSS schemas the CSAF 2.0 schema refers to
(cvss-v2.0.json, cvss-v3.0.json, cvss-v3.1.json in DIR) under the exact URLs
the CSAF schema uses. Nothing is ever fetched from the network: a $ref that is
not registered fails loudly (referencing.exceptions.Unresolvable).

Exit status: 0 valid, 1 invalid (each error is printed with its JSON path),
2 usage, unreadable input or an unresolvable $ref, 3 jsonschema/referencing
not installed.

Formats are checked with the validator's FORMAT_CHECKER: date-time needs the
rfc3339-validator package, uri needs rfc3987; formats without their package
are not checked (jsonschema's rule).
"""

import argparse
import json
import sys

try:
    import jsonschema
    from jsonschema.validators import validator_for
    from referencing import Registry, Resource
    from referencing.exceptions import Unresolvable
    from referencing.jsonschema import DRAFT4, DRAFT7
except ImportError as error:  # the tests turn this into a failure with the fix
    print(f"validate-json-schema: {error}; install it with: pip install jsonschema", file=sys.stderr)
    sys.exit(3)

# The CSAF 2.0 schema's three external refs. The two draft-04 files have no
# $id, and the v3.1 file's $id carries a "?20211103" query that the CSAF
# schema does not use, so each is registered under the URL the ref names.
CSAF_REFS = [
    ("cvss-v2.0.json", DRAFT4),
    ("cvss-v3.0.json", DRAFT4),
    ("cvss-v3.1.json", DRAFT7),
]


def load(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def json_path(parts):
    path = "$"
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def main():
    parser = argparse.ArgumentParser(description="Validate DOCUMENT against SCHEMA, offline.")
    parser.add_argument("schema")
    parser.add_argument("document")
    parser.add_argument("--csaf-refs", metavar="DIR", help="directory holding the FIRST CVSS schemas")
    args = parser.parse_args()

    try:
        schema = load(args.schema)
        document = load(args.document)
        registry = Registry()
        if args.csaf_refs:
            for name, spec in CSAF_REFS:
                resource = Resource.from_contents(load(f"{args.csaf_refs}/{name}"), default_specification=spec)
                registry = registry.with_resource(f"https://www.first.org/cvss/{name}", resource)
    except (OSError, ValueError) as error:
        print(f"validate-json-schema: {error}", file=sys.stderr)
        return 2

    cls = validator_for(schema)
    try:
        cls.check_schema(schema)
        validator = cls(schema, registry=registry.crawl(), format_checker=cls.FORMAT_CHECKER)
        errors = sorted(validator.iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path])
    except jsonschema.exceptions.SchemaError as error:
        print(f"validate-json-schema: {args.schema} is not a valid schema: {error.message}", file=sys.stderr)
        return 2
    except Unresolvable as error:
        print(f"validate-json-schema: cannot resolve {error.ref} offline; for CSAF pass --csaf-refs DIR", file=sys.stderr)
        return 2
    if not errors:
        print(f"{args.document}: valid")
        return 0
    for error in errors:
        print(f"{args.document}: invalid at {json_path(error.absolute_path)}: {error.message[:500]}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
