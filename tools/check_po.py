"""Check the translations of publication_crm (called by tools/check).

    python3 tools/check_po.py [--fresh exported.pot]

Fails (exit 1) when a shipped i18n/*.po misses an entry of the template,
keeps one the template no longer has, has a fuzzy entry, or changes a
placeholder: %(name)s / %s, {{ }} expressions, QWeb t-* attributes, HTML tags.
With --fresh (the template exported from a freshly installed database), also
fails when the committed template's msgids differ from the code's.
"""

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

import polib

I18N = Path(__file__).resolve().parent.parent / "i18n"
PYTHON_FORMAT = re.compile(r"%(?:\([^)]+\))?[sdifr%]")
EXPRESSION = re.compile(r"\{\{.*?\}\}", re.DOTALL)
QWEB_ATTRIBUTE = re.compile(r"""\s(t-[\w-]+)=("[^"]*"|'[^']*')""")
SHOWN = 20  # problems printed per file
TAG = re.compile(r"<\s*(/?)\s*([a-zA-Z][\w.-]*)")


def placeholders(text):
    """What a translation must keep of its msgid, as comparable multisets."""
    found = {
        "{{ }} expressions": Counter(EXPRESSION.findall(text)),
        "QWeb attributes": Counter(QWEB_ATTRIBUTE.findall(text)),
        "HTML tags": Counter(TAG.findall(text)),
    }
    if "%" in text:
        found["%-placeholders"] = Counter(PYTHON_FORMAT.findall(text))
    return found


def check_po(path, template):
    """Problems of one .po file against the template's msgids."""
    po = polib.pofile(str(path))
    problems = []
    entries = {e.msgid: e for e in po if e.msgid}
    for msgid in template:
        entry = entries.get(msgid)
        if entry is None or not entry.msgstr:
            problems.append(f"missing: {msgid[:70]!r}")
    for entry in entries.values():
        where = f"{entry.msgid[:70]!r}"
        if entry.msgid not in template:
            problems.append(f"not in the template (obsolete): {where}")
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {where}")
        if not entry.msgstr:
            continue
        source, translated = placeholders(entry.msgid), placeholders(entry.msgstr)
        if "%-placeholders" not in source and "python-format" not in entry.flags:
            translated.pop("%-placeholders", None)
        for kind, expected in source.items():
            if translated.get(kind, Counter()) != expected:
                problems.append(f"{kind} changed: {where}")
    return problems


def msgids(path):
    """The msgids of a .po or .pot file."""
    return {e.msgid for e in polib.pofile(str(path)) if e.msgid}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--fresh", type=Path, help="template exported from the installed code"
    )
    args = parser.parse_args()
    template = msgids(I18N / "publication_crm.pot")
    failed = False
    if args.fresh:
        fresh = msgids(args.fresh)
        for msgid in sorted(fresh - template):
            print(f"publication_crm.pot: lacks {msgid[:70]!r} (regenerate it)")
        for msgid in sorted(template - fresh):
            print(
                f"publication_crm.pot: has {msgid[:70]!r}, which the code no longer has"
            )
        failed = fresh != template
    for path in sorted(I18N.glob("*.po")):
        problems = check_po(path, template)
        for problem in problems[:SHOWN]:
            print(f"{path.name}: {problem}")
        if len(problems) > SHOWN:
            print(f"{path.name}: ... and {len(problems) - SHOWN} more")
        missing = sum(p.startswith("missing") for p in problems)
        print(
            f"{path.name}: {len(template) - missing} of {len(template)} translated,"
            f" {len(problems)} problem(s)"
        )
        failed = failed or bool(problems)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
