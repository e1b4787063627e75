"""helpdesk_mgmt's own words in Finnish, Chinese and German.

OCA helpdesk_mgmt and helpdesk_mgmt_rating ship no fi or zh_CN translation;
publication_crm loads them from i18n_extra/<lang>.po (tools/helpdesk_po.py
builds those from the upstream-ready i18n_extra/upstream/<module>/<lang>.po).
"""

import importlib.util
import re
from pathlib import Path

import polib

from odoo.tests import HttpCase, TransactionCase, new_test_user, tagged
from odoo.tools import file_path

LANGS = ("fi_FI", "zh_CN", "de_DE")
PO_LANGS = {"fi_FI": "fi", "zh_CN": "zh_CN", "de_DE": "de"}
MODULES = ("helpdesk_mgmt", "helpdesk_mgmt_rating")
ROOT = Path(__file__).resolve().parent.parent
# Terms whose translation is the English word: OCA's files leave them empty
SAME_AS_ENGLISH = {
    "fi": {"Avatar", "ID", "Web", "alias"},
    "zh_CN": {"ID"},
    "de": {
        "Alias Name",
        "Avatar",
        "Dashboard",
        "Helpdesk",
        "ID",
        "Name",
        "Partner",
        "Team",
        "Teams",
        "Ticket",
        "Tickets",
        "Web",
    },
}


def _helpdesk_po():
    """tools/helpdesk_po.py, which builds the loadable files."""
    spec = importlib.util.spec_from_file_location(
        "helpdesk_po", ROOT / "tools" / "helpdesk_po.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _forget_helpdesk_terms(env, langs):
    """Drop the helpdesk records' terms in the languages, so that the test
    sees what loading publication_crm's translations brings."""
    keys = list(langs)
    cr = env.cr
    cr.execute(
        """UPDATE ir_model_fields
              SET field_description = field_description - %s::text[],
                  help = help - %s::text[]
            WHERE model LIKE 'helpdesk.ticket%%'""",
        (keys, keys),
    )
    cr.execute(
        """UPDATE ir_model_fields_selection s SET name = s.name - %s::text[]
             FROM ir_model_fields f
            WHERE f.id = s.field_id AND f.model LIKE 'helpdesk.ticket%%'""",
        (keys,),
    )
    cr.execute("UPDATE helpdesk_ticket_stage SET name = name - %s::text[]", (keys,))
    cr.execute(
        """UPDATE ir_ui_view v SET arch_db = v.arch_db - %s::text[]
             FROM ir_model_data d
            WHERE d.model = 'ir.ui.view' AND d.res_id = v.id
              AND d.module IN ('helpdesk_mgmt', 'helpdesk_mgmt_rating')""",
        (keys,),
    )
    for table, column in (
        ("ir_ui_menu", "name"),
        ("mail_template", "subject"),
        ("mail_template", "body_html"),
    ):
        cr.execute(
            f"""UPDATE {table} t SET {column} = t.{column} - %s::text[]
                 FROM ir_model_data d
                WHERE d.res_id = t.id AND d.model = %s
                  AND d.module IN ('helpdesk_mgmt', 'helpdesk_mgmt_rating')""",
            (keys, table.replace("_", ".")),
        )
    env.invalidate_all()
    env.registry.clear_cache()


def _load_translations(env):
    """Activate the languages and load publication_crm's translations, as an
    install, an update or Settings > Languages > Update do."""
    for code in LANGS:
        env["res.lang"]._activate_lang(code)
    _forget_helpdesk_terms(env, ("fi_FI", "zh_CN"))
    env["ir.module.module"]._load_module_terms(["publication_crm"], list(LANGS))
    env.invalidate_all()
    env.registry.clear_cache()


@tagged("post_install", "-at_install")
class TestHelpdeskTranslations(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        _load_translations(cls.env)

    def _labels(self, lang, *names):
        fields = (
            self.env["helpdesk.ticket"]
            .with_context(lang=lang)
            .fields_get(list(names), ["string"])
        )
        return [fields[name]["string"] for name in names]

    def test_ticket_field_labels(self):
        names = ("stage_id", "user_id", "priority", "category_id", "team_id")
        self.assertEqual(
            self._labels("fi_FI", *names),
            ["Vaihe", "Käsittelijä", "Prioriteetti", "Kategoria", "Tiimi"],
        )
        self.assertEqual(
            self._labels("zh_CN", *names), ["阶段", "负责人", "优先级", "类别", "团队"]
        )
        # helpdesk_mgmt's own German stays; what it lacked is added
        self.assertEqual(
            self._labels("de_DE", "user_id", "duplicate_id"),
            ["Zugewiesener Benutzer", "Duplikat von"],
        )

    def test_priority_selection(self):
        for lang, expected in (
            ("fi_FI", ["Matala", "Keskitaso", "Korkea", "Erittäin korkea"]),
            ("zh_CN", ["低", "中", "高", "非常高"]),
        ):
            selection = (
                self.env["helpdesk.ticket"]
                .with_context(lang=lang)
                .fields_get(["priority"], ["selection"])["priority"]["selection"]
            )
            self.assertEqual([label for _value, label in selection], expected)

    def test_stage_names(self):
        stages = [
            self.env.ref(f"helpdesk_mgmt.helpdesk_ticket_stage_{name}")
            for name in ("new", "in_progress", "awaiting", "done", "cancelled")
        ]
        for lang, expected in (
            ("fi_FI", ["Uusi", "Käynnissä", "Odottaa", "Valmis", "Peruttu"]),
            ("zh_CN", ["新建", "进行中", "等待中", "已完成", "已取消"]),
        ):
            self.assertEqual(
                [stage.with_context(lang=lang).name for stage in stages], expected
            )

    def test_search_filters(self):
        view = self.env.ref("helpdesk_mgmt.helpdesk_ticket_view_search")
        for lang, texts in (
            ("fi_FI", ("Omat tiketit", "Ei käsittelijää", "Käsittelemättä")),
            ("zh_CN", ("我的工单", "未分配", "未处理")),
        ):
            arch = (
                self.env["helpdesk.ticket"]
                .with_context(lang=lang)
                .get_view(view.id, "search")["arch"]
            )
            for text in texts:
                self.assertIn(f'string="{text}"', arch)
            self.assertNotIn('string="My Tickets"', arch)

    def test_menu_and_rating_mail(self):
        menu = self.env.ref("helpdesk_mgmt.helpdesk_ticket_main_menu")
        self.assertEqual(menu.with_context(lang="fi_FI").name, "Asiakaspalvelu")
        self.assertEqual(menu.with_context(lang="zh_CN").name, "服务台")
        template = self.env.ref("helpdesk_mgmt_rating.rating_ticket_email_template")
        fi = template.with_context(lang="fi_FI")
        self.assertEqual(
            fi.subject,
            "Tyytyväisyyskysely tiketistä {{object.number}} - {{object.name}}",
        )
        self.assertIn("Kerro meille, mitä pidit palvelustamme", fi.body_html)
        self.assertIn('<t t-out="object._rating_get_operator().name"/>', fi.body_html)
        zh_cn = template.with_context(lang="zh_CN")
        self.assertIn("请告诉我们您对我们服务的感受", zh_cn.body_html)
        self.assertIn(
            "Zufriedenheitsumfrage", template.with_context(lang="de_DE").subject
        )

    def test_every_helpdesk_field_label_translated(self):
        """Every label and help of the helpdesk models, also of fields other
        installed modules add to them."""
        self.env.cr.execute(
            """SELECT f.model, f.name, f.field_description, f.help
                 FROM ir_model_fields f
                WHERE f.model LIKE 'helpdesk.ticket%'
                  AND EXISTS (SELECT 1 FROM ir_model_data d
                               WHERE d.model = 'ir.model.fields' AND d.res_id = f.id
                                 AND d.module LIKE 'helpdesk_mgmt%')
                  AND NOT EXISTS (SELECT 1 FROM ir_model_data d
                               WHERE d.model = 'ir.model.fields' AND d.res_id = f.id
                                 AND d.module = 'publication_crm')"""
        )
        untranslated = [
            (model, name, lang)
            for model, name, label, help_ in self.env.cr.fetchall()
            for lang in ("fi_FI", "zh_CN")
            for text in (label, help_)
            if text
            and lang not in text
            and text["en_US"] not in SAME_AS_ENGLISH[PO_LANGS[lang]]
        ]
        self.assertEqual(untranslated, [])


@tagged("post_install", "-at_install")
class TestHelpdeskTranslationFiles(TransactionCase):
    """The translation files against helpdesk_mgmt's installed templates."""

    def _pot(self, module):
        return polib.pofile(file_path(f"{module}/i18n/{module}.pot"))

    def test_upstream_files_complete(self):
        """i18n_extra/upstream/<module>/<lang>.po: what OCA would merge."""
        for module in MODULES:
            template = {entry.msgid for entry in self._pot(module)}
            for lang in PO_LANGS.values():
                path = ROOT / "i18n_extra" / "upstream" / module / f"{lang}.po"
                po = polib.pofile(str(path))
                entries = {e.msgid: e for e in po if not e.obsolete and e.msgid}
                self.assertEqual(set(entries), template, f"{module} {lang}")
                empty = {m for m, e in entries.items() if not e.msgstr}
                self.assertLessEqual(empty, SAME_AS_ENGLISH[lang], f"{module} {lang}")

    def test_loadable_files_cover_the_records(self):
        """Every term of a record or view in the templates is in
        i18n_extra/<lang>.po, unless publication_crm translates that record
        itself or the word stays English."""
        tool = _helpdesk_po()
        own = tool.own_records()
        for lang in PO_LANGS.values():
            loadable = {}
            for entry in polib.pofile(str(ROOT / "i18n_extra" / f"{lang}.po")):
                for occurrence, _line in entry.occurrences:
                    loadable[occurrence, entry.msgid] = entry.msgstr
            for module in MODULES:
                for entry in self._pot(module):
                    for occurrence, _line in entry.occurrences:
                        if not re.match(r"model(_terms)?:", occurrence):
                            continue
                        if tool.record_key(occurrence) in own:
                            continue
                        if entry.msgid in SAME_AS_ENGLISH[lang]:
                            continue
                        self.assertTrue(
                            loadable.get((occurrence, entry.msgid)),
                            f"{lang}: {occurrence} {entry.msgid!r}",
                        )

    def test_loadable_files_up_to_date(self):
        tool = _helpdesk_po()
        own = tool.own_records()
        for lang in PO_LANGS.values():
            self.assertEqual(
                (ROOT / "i18n_extra" / f"{lang}.po").read_text(encoding="utf-8"),
                tool.build(lang, own),
                f"i18n_extra/{lang}.po: run tools/helpdesk_po.py",
            )


@tagged("post_install", "-at_install")
class TestHelpdeskPortalTranslations(HttpCase):
    """The portal's Tickets entry and ticket list in the reader's language."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        _load_translations(cls.env)
        cls.reader = new_test_user(
            cls.env, login="hd_i18n_reader", groups="base.group_portal"
        )
        cls.env["helpdesk.ticket"].create(
            {
                "name": "Missing copy",
                "description": "<p>No paper today</p>",
                "partner_id": cls.reader.partner_id.id,
            }
        )

    def _get(self, lang, url):
        """The page in the language the reader picked (the URL's prefix, as
        the language selector in the footer sets it)."""
        self.reader.partner_id.lang = lang
        self.authenticate(self.reader.login, self.reader.login)
        url_code = self.env["res.lang"]._get_data(code=lang).url_code
        response = self.url_open(f"/{url_code}{url}")
        self.assertEqual(response.status_code, 200)
        return response.text

    def test_portal_in_finnish(self):
        home = self._get("fi_FI", "/my")
        self.assertIn("Tiketit", home)
        self.assertIn("Seuraa ja kommentoi asiakaspalvelutikettejäsi", home)
        page = self._get("fi_FI", "/my/tickets")
        for text in ("Uusimmat", "Otsikko", "Hae kaikista", "Hae numerosta", "Kaikki"):
            self.assertIn(text, page)
        self.assertIn("Uusi", page)  # the stage filter
        for text in ("Newest", "Search in All", "Last Stage Update"):
            self.assertNotIn(text, page)

    def test_portal_in_chinese(self):
        home = self._get("zh_CN", "/my")
        self.assertIn("工单", home)
        page = self._get("zh_CN", "/my/tickets")
        for text in ("最新", "标题", "在全部中搜索", "最后阶段更新", "新建"):
            self.assertIn(text, page)
        for text in ("Newest", "Search in All", "Last Stage Update"):
            self.assertNotIn(text, page)
