"""List the msgids of i18n/publication_crm.pot that a language's .po lacks.

    python3 tools/po_todo.py fi [todo.json]

Prints the untranslated (missing, empty or fuzzy) msgids, numbered, and with
a second argument writes them as a JSON list: tools/po_fill.py reads that list
with the translations of the same numbers (the top-up after the template changed).
"""

import json
import sys
from pathlib import Path

import polib

I18N = Path(__file__).resolve().parent.parent / "i18n"


def todo(lang):
    """Msgids of the template without a finished translation in LANG.po."""
    path = I18N / f"{lang}.po"
    done = {}
    if path.exists():
        done = {
            e.msgid: e.msgstr
            for e in polib.pofile(str(path))
            if e.msgstr and "fuzzy" not in e.flags
        }
    pot = polib.pofile(str(I18N / "publication_crm.pot"))
    return [e.msgid for e in pot if e.msgid not in done]


def main():
    lang = sys.argv[1]
    msgids = todo(lang)
    for number, msgid in enumerate(msgids):
        print(f"{number}\t{msgid!r}")
    print(f"{len(msgids)} untranslated msgid(s) in {lang}.po", file=sys.stderr)
    if len(sys.argv) > 2:
        Path(sys.argv[2]).write_text(json.dumps(msgids, ensure_ascii=False, indent=0))


if __name__ == "__main__":
    main()
