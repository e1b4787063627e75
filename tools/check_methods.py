#!/usr/bin/env python3
"""Every method, field and mixin list of a model is declared in one file of the add-on.

Reads the add-on's Python files (not tests/ nor tools/) with ``ast`` and collects, per
model, the files that

- define a method (``def name`` in the class body),
- declare a field (``name = fields.X(...)``), or
- add mixins (an ``_inherit`` that names more than the model itself).

A class with ``_name`` extends or defines that model; a class without ``_name``
extends ``_inherit`` (its first name when it is a list). A name found in more than
one file of the add-on means that the import order in ``__init__.py`` decides which
one wins, or that a file re-declares what another file owns. Prints one line per
finding, ``kind model name: file:line, file:line``, and exits 1 when there is any;
else prints nothing and exits 0.

    python3 tools/check_methods.py [ADDON_DIR]
"""

import ast
import sys
from collections import defaultdict
from pathlib import Path

SKIP_DIRS = {"tests", "tools", "migrations", "static", "i18n", ".ci"}


def _const(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, (ast.List, ast.Tuple)):
        values = [_const(elt) for elt in node.elts]
        if all(isinstance(value, str) for value in values):
            return values
    return None


def _is_model_class(node):
    for base in node.bases:
        name = base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "")
        if name in {"Model", "AbstractModel", "TransientModel"}:
            return True
    return False


def _is_field(value):
    """``fields.X(...)``: a field declaration."""
    return (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Attribute)
        and isinstance(value.func.value, ast.Name)
        and value.func.value.id == "fields"
    )


def scan_class(node):
    """(model, mixins, methods, fields) of a model class, or None."""
    attrs = {}
    methods = []
    fields_ = []
    for stmt in node.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            methods.append((stmt.name, stmt.lineno))
        elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target = stmt.targets[0]
            if not isinstance(target, ast.Name):
                continue
            if target.id in {"_name", "_inherit"}:
                attrs[target.id] = _const(stmt.value)
            elif _is_field(stmt.value):
                fields_.append((target.id, stmt.lineno))
    name, inherit = attrs.get("_name"), attrs.get("_inherit")
    if isinstance(inherit, str):
        inherit = [inherit]
    inherit = inherit or []
    model = name or (inherit[0] if inherit else None)
    if not model:
        return None
    mixins = [parent for parent in inherit if parent != model]
    return model, mixins, methods, fields_


def scan(addon):
    """{kind: {(model, name): {file: line}}} over the add-on's Python files."""
    found = {kind: defaultdict(dict) for kind in ("method", "field", "mixins")}
    for path in sorted(addon.rglob("*.py")):
        rel = path.relative_to(addon)
        if rel.parts[0] in SKIP_DIRS or rel.name == "__manifest__.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.ClassDef) and _is_model_class(node)):
                continue
            scanned = scan_class(node)
            if not scanned:
                continue
            model, mixins, methods, fields_ = scanned
            for name, line in methods:
                found["method"][(model, name)].setdefault(str(rel), line)
            for name, line in fields_:
                found["field"][(model, name)].setdefault(str(rel), line)
            if mixins:
                found["mixins"][(model, "_inherit")].setdefault(str(rel), node.lineno)
    return found


def main(argv):
    addon = Path(argv[1] if len(argv) > 1 else Path(__file__).resolve().parent.parent)
    found = scan(addon)
    problems = []
    for kind, entries in found.items():
        for (model, name), files in sorted(entries.items()):
            if len(files) > 1:
                where = ", ".join(f"{f}:{line}" for f, line in sorted(files.items()))
                problems.append(f"{kind} {model} {name}: {where}")
    for line in problems:
        print(line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
