"""Build i18n_extra/<lang>.po: helpdesk_mgmt's terms loaded with publication_crm.

    python3 tools/helpdesk_po.py          # rewrite i18n_extra/{fi,zh_CN,de}.po
    python3 tools/helpdesk_po.py --check  # exit 1 when they are not what it writes

OCA helpdesk_mgmt and helpdesk_mgmt_rating ship no Finnish or Chinese and an
incomplete German. Their complete translations, ready to be offered upstream,
are i18n_extra/upstream/<module>/<lang>.po (edit those). Odoo loads a module's
i18n/<lang>.po and i18n_extra/<lang>.po when the module's translations load
(install, update, Settings > Languages > Update); a term of a record is applied
by the record's XML id, whatever module's file carries it, so publication_crm's
i18n_extra/<lang>.po can translate helpdesk_mgmt's fields, selections, views,
menus, actions, stages and mail templates. Left out of it:

- code terms of helpdesk_mgmt's Python: Odoo looks them up in helpdesk_mgmt's
  own folder only (controllers/helpdesk_portal.py redoes the portal's search
  bar with this add-on's words, listed in PORTAL_TERMS);
- records this add-on translates itself (its i18n/publication_crm.pot), so
  that two files never compete for one record;
- entries whose translation is the English word (OCA's files leave them empty).

Its JavaScript term is kept: the web client falls back on any module's
translation of a JavaScript term.
"""

import argparse
import re
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
UPSTREAM = ROOT / "i18n_extra" / "upstream"
MODULES = ("helpdesk_mgmt", "helpdesk_mgmt_rating")
LANGS = ("fi", "zh_CN", "de")
PLURAL = {
    "fi": "nplurals=2; plural=(n != 1);",
    "zh_CN": "nplurals=1; plural=0;",
    "de": "nplurals=2; plural=n != 1;",
}
OCCURRENCE = re.compile(r"(model|model_terms):([\w.]+),(\w+):(\w+)\.(.+)")
# XML ids Odoo derives from the model (one record, one id per module)
DERIVED = ("ir.model", "ir.model.fields", "ir.model.fields.selection")

# helpdesk_mgmt's portal words that controllers/helpdesk_portal.py writes as
# publication_crm's own code terms (its field labels come from the database)
PORTAL_FILE = "code:addons/publication_crm/controllers/helpdesk_portal.py"
PORTAL_TERMS = (
    "All",
    "Newest",
    "None",
    "Search in All",
    "Search in Number",
    "Search in Title",
)

# Records missing from OCA's templates: fields the "sms" module adds (in every
# database with publication_crm) and helpdesk_mgmt's demo data (in demo
# databases). Without a word for a language, the entry of the same msgid.
SMS_FIELDS = [
    f"{module}.field_{model}__message_has_sms_error"
    for module, model in (
        ("helpdesk_mgmt", "helpdesk_ticket"),
        ("helpdesk_mgmt", "helpdesk_ticket_team"),
        ("helpdesk_mgmt_rating", "helpdesk_ticket"),
    )
]
EXTRA = [
    (
        "SMS Delivery error",
        [f"model:ir.model.fields,field_description:{x}" for x in SMS_FIELDS],
        {
            "fi": "Tekstiviestin toimitusvirhe",
            "zh_CN": "短信发送错误",
            "de": "SMS-Zustellungsfehler",
        },
    ),
    (
        "If checked, some messages have a delivery error.",
        [f"model:ir.model.fields,help:{x}" for x in SMS_FIELDS],
        {},
    ),
    (
        "Localization team",
        ["model:helpdesk.ticket.team,name:helpdesk_mgmt.helpdesk_team_1"],
        {"fi": "Lokalisointitiimi", "zh_CN": "本地化团队", "de": "Lokalisierungsteam"},
    ),
    ("Helpdesk", ["model:helpdesk.ticket.team,name:helpdesk_mgmt.helpdesk_team_2"], {}),
    (
        "Consultants",
        ["model:helpdesk.ticket.team,name:helpdesk_mgmt.helpdesk_team_3"],
        {"fi": "Konsultit", "zh_CN": "顾问", "de": "Berater"},
    ),
    (
        "Hard",
        ["model:helpdesk.ticket.tag,name:helpdesk_mgmt.helpdesk_tag_1"],
        {"fi": "Vaikea", "zh_CN": "困难", "de": "Schwierig"},
    ),
    (
        "Technical",
        ["model:helpdesk.ticket.tag,name:helpdesk_mgmt.helpdesk_tag_2"],
        {"fi": "Tekninen", "zh_CN": "技术", "de": "Technisch"},
    ),
    (
        "Functional",
        ["model:helpdesk.ticket.tag,name:helpdesk_mgmt.helpdesk_tag_3"],
        {"fi": "Toiminnallinen", "zh_CN": "功能", "de": "Funktional"},
    ),
    (
        "Software",
        ["model:helpdesk.ticket.category,name:helpdesk_mgmt.helpdesk_category_1"],
        {"fi": "Ohjelmistot", "zh_CN": "软件"},
    ),
    (
        "Wifi",
        ["model:helpdesk.ticket.category,name:helpdesk_mgmt.helpdesk_category_2"],
        {"zh_CN": "无线网络", "de": "WLAN"},
    ),
    (
        "Hardware",
        ["model:helpdesk.ticket.category,name:helpdesk_mgmt.helpdesk_category_4"],
        {"fi": "Laitteisto", "zh_CN": "硬件"},
    ),
    (
        "Laptops",
        ["model:helpdesk.ticket.category,name:helpdesk_mgmt.helpdesk_category_5"],
        {"fi": "Kannettavat", "zh_CN": "笔记本电脑"},
    ),
]


def record_key(occurrence):
    """(model, field, record) of a model term; None for other occurrences."""
    match = OCCURRENCE.match(occurrence)
    if not match:
        return None
    kind, model, field, module, name = match.groups()
    if kind == "model_terms":
        return None  # terms of views are merged term by term, never replaced
    return (model, field, name if model in DERIVED else f"{module}.{name}")


def own_records():
    """The records whose terms i18n/publication_crm.pot carries."""
    pot = polib.pofile(str(ROOT / "i18n" / "publication_crm.pot"))
    return {
        key
        for entry in pot
        for occurrence, _line in entry.occurrences
        if (key := record_key(occurrence))
    }


def kept_occurrences(entry, own):
    kept = []
    for occurrence, line in entry.occurrences:
        if occurrence.startswith(("model:", "model_terms:")):
            if record_key(occurrence) not in own:
                kept.append((occurrence, line))
        elif occurrence.startswith("code:") and "odoo-javascript" in entry.comment:
            kept.append((occurrence, line))
    return kept


def merge_upstream(lang, own):
    """{msgid: (msgstr, modules, occurrences, comments)} of both modules."""
    merged = {}
    for module in MODULES:
        for entry in polib.pofile(str(UPSTREAM / module / f"{lang}.po")):
            if entry.obsolete or not entry.msgid or not entry.msgstr:
                continue
            occurrences = kept_occurrences(entry, own)
            comments = []
            if any(o.startswith("code:") for o, _line in occurrences):
                comments.append("odoo-javascript")
            if module == "helpdesk_mgmt" and entry.msgid in PORTAL_TERMS:
                occurrences.append((PORTAL_FILE, "0"))
                comments.append("odoo-python")
            if not occurrences:
                continue
            msgstr, modules, known, notes = merged.setdefault(
                entry.msgid, (entry.msgstr, [], [], [])
            )
            if msgstr != entry.msgstr:
                sys.exit(
                    f"{lang}: {entry.msgid!r} is {msgstr!r} in one module and"
                    f" {entry.msgstr!r} in {module}: translate it alike"
                )
            modules.append(module)
            known.extend(o for o in occurrences if o not in known)
            notes.extend(c for c in comments if c not in notes)
    missing = set(PORTAL_TERMS) - set(merged)
    if missing:
        sys.exit(f"{lang}: no translation of {sorted(missing)} in helpdesk_mgmt")
    return merged


def add_extra(merged, lang):
    for msgid, occurrences, words in EXTRA:
        msgstr = words.get(lang) or merged.get(msgid, ("",))[0]
        if not msgstr:
            continue
        _msgstr, modules, known, _notes = merged.setdefault(msgid, (msgstr, [], [], []))
        for occurrence in occurrences:
            module = occurrence.split(":")[2].split(".")[0]
            if module not in modules:
                modules.append(module)
            if (occurrence, "") not in known:
                known.append((occurrence, ""))


def build(lang, own):
    """The text of i18n_extra/<lang>.po."""
    merged = merge_upstream(lang, own)
    add_extra(merged, lang)
    po = polib.POFile(wrapwidth=78)
    po.header = (
        "Translations of OCA helpdesk_mgmt and helpdesk_mgmt_rating loaded with\n"
        "publication_crm. Generated by tools/helpdesk_po.py from\n"
        "i18n_extra/upstream/<module>/<lang>.po: edit those, then run the tool."
    )
    po.metadata = {
        "Project-Id-Version": "Odoo Server 19.0",
        "Report-Msgid-Bugs-To": "",
        "PO-Revision-Date": "",
        "Last-Translator": "",
        "Language-Team": "",
        "Language": lang,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "",
        "Plural-Forms": PLURAL[lang],
    }
    for msgid in sorted(merged):
        msgstr, modules, occurrences, notes = merged[msgid]
        label = "module" if len(modules) == 1 else "modules"
        po.append(
            polib.POEntry(
                msgid=msgid,
                msgstr=msgstr,
                comment="\n".join([f"{label}: {', '.join(modules)}", *notes]),
                occurrences=sorted(occurrences),
            )
        )
    return str(po)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare")
    args = parser.parse_args()
    own = own_records()
    stale = []
    for lang in LANGS:
        path = ROOT / "i18n_extra" / f"{lang}.po"
        text = build(lang, own)
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(path.name)
        else:
            path.write_text(text, encoding="utf-8")
    if stale:
        print(f"i18n_extra/{', '.join(stale)} out of date: run tools/helpdesk_po.py")
        sys.exit(1)


if __name__ == "__main__":
    main()
