"""Write i18n/LANG.po from the template, its current translations and new ones.

    python3 tools/po_fill.py fi todo.json translations.py [...]

todo.json is the list written by tools/po_todo.py; each translations.py
defines T = {number: msgstr} for the numbers of that list. Entries the
template no longer has are dropped; the others keep their translation.
A translations.py may also hold several languages: LANGS = ("fi", "zh_CN")
and T = {number: (msgstr_fi, msgstr_zh_CN)}.
"""

import json
import runpy
import sys
from pathlib import Path

import polib

I18N = Path(__file__).resolve().parent.parent / "i18n"
HEADER = (
    "Translation of Odoo Server.\n"
    "This file contains the translation of the following modules:\n"
    "\t* publication_crm\n"
)


def main():
    lang, todo_path, *sources = sys.argv[1:]
    msgids = json.loads(Path(todo_path).read_text())
    new = {}
    for source in sources:
        module = runpy.run_path(source)
        column = module["LANGS"].index(lang) if "LANGS" in module else None
        for number, msgstr in module["T"].items():
            new[msgids[number]] = msgstr if column is None else msgstr[column]
    path = I18N / f"{lang}.po"
    old = {}
    if path.exists():
        old = {
            e.msgid: e.msgstr for e in polib.pofile(str(path)) if "fuzzy" not in e.flags
        }
    pot = polib.pofile(str(I18N / "publication_crm.pot"), wrapwidth=78)
    pot.metadata["Language"] = lang
    pot.metadata["Plural-Forms"] = (
        "nplurals=2; plural=(n != 1);" if lang != "zh_CN" else "nplurals=1; plural=0;"
    )
    pot.header = HEADER
    missing = 0
    for entry in pot:
        entry.msgstr = new.get(entry.msgid) or old.get(entry.msgid, "")
        missing += not entry.msgstr
    pot.save(str(path))
    print(f"{path.name}: {len(pot) - missing} of {len(pot)} translated")


if __name__ == "__main__":
    main()
