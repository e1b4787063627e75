from lxml import etree

from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .common import HelpdeskCommon


@tagged("post_install", "-at_install")
class TestWebClient(HelpdeskCommon):
    """What the menus and views show a Publication User."""

    def _arch(self, model, view_type, view=None, user=None):
        Model = self.env[model].with_user(user or self.agent)
        views = Model.get_views([(view.id if view else False, view_type)])
        return etree.fromstring(views["views"][view_type]["arch"])

    def _list_view(self, action):
        return action.view_ids.filtered(lambda v: v.view_mode == "list").view_id

    def _search(self, action, filter_names=()):
        """The records action lists with the filters of filter_names."""
        Model = self.env[action.res_model].with_user(self.agent)
        search = self._arch(action.res_model, "search", action.search_view_id)
        domain = safe_eval(action.domain or "[]")
        for name in filter_names:
            node = search.xpath(f"//filter[@name='{name}']")[0]
            domain += safe_eval(node.get("domain") or "[]")  # none: a grouping
        return Model.search(domain)

    def _default_filters(self, action):
        context = safe_eval(action.context or "{}")
        return [
            key.removeprefix("search_default_")
            for key, value in context.items()
            if key.startswith("search_default_") and value
        ]

    def test_complaints_list_shows_complaints_only(self):
        generic = self.env["helpdesk.ticket.category"].create({"name": "Printer"})
        complaint = self._ticket(self.alice)
        other = self._ticket(self.bob, category=generic)
        action = self.env.ref("publication_crm.helpdesk_ticket_complaint_action")
        shown = self._search(action, self._default_filters(action))
        self.assertIn(complaint, shown)
        self.assertNotIn(other, shown, "a generic helpdesk ticket is no complaint")
        columns = self._arch("helpdesk.ticket", "list", self._list_view(action))
        names = [field.get("name") for field in columns.iter("field")]
        for name in ("partner_id", "subscription_id", "publication_id", "category_id"):
            self.assertIn(name, names)

    def test_complaint_categories_lists_complaint_categories_only(self):
        generic = self.env["helpdesk.ticket.category"].create({"name": "Printer"})
        menu = self.env.ref("publication_crm.helpdesk_ticket_category_menu")
        categories = self._search(menu.action.sudo())
        self.assertIn(self.cat_missed, categories)
        self.assertNotIn(generic, categories)

    def test_kanban_shows_every_state_in_its_order(self):
        Subscription = self.env["publication.subscription"].with_user(self.agent)
        groups = Subscription.with_context(read_group_expand=True).web_read_group(
            [], ["state"], ["__count"]
        )["groups"]
        self.assertEqual(
            [group["state"] for group in groups],
            ["draft", "waiting", "active", "suspended", "expired", "cancelled"],
        )

    def test_kanban_badges_sponsored_copies_as_sponsored(self):
        kanban = self._arch("publication.subscription", "kanban")
        [sponsored] = kanban.xpath("//span[text()='Sponsored']")
        [gift] = kanban.xpath("//span[text()='Gift']")
        self.assertEqual(
            sponsored.get("t-if"), "record.origin.raw_value == 'sponsored'"
        )
        self.assertEqual(gift.get("t-elif"), "record.is_gift.raw_value", "else Gift")

    def test_calendar_shows_the_end_dates(self):
        calendar = self._arch("publication.subscription", "calendar")
        self.assertEqual(calendar.get("date_start"), "date_end")
        self.assertIsNone(calendar.get("date_stop"), "no bar from start to end")

    def test_report_lists_have_no_new_button(self):
        for xmlid in (
            "publication_crm.publication_subscription_action_upcoming_ends",
            "publication_crm.publication_subscription_action_renewal_failed",
        ):
            action = self.env.ref(xmlid)
            view = self._list_view(action)
            self.assertTrue(view, xmlid)
            self.assertEqual(
                self._arch("publication.subscription", "list", view).get("create"),
                "0",
                xmlid,
            )

    def test_subscriptions_analysis_counts_open_subscriptions(self):
        open_one = self._active()
        draft = self._subscription(recipient_id=self.bob.id)
        closed = self._active(recipient_id=self.carol.id)
        closed._write_state({"state": "expired"})
        action = self.env.ref(
            "publication_crm.publication_subscription_analysis_action"
        )
        shown = self._search(action, self._default_filters(action))
        self.assertIn(open_one, shown)
        self.assertNotIn(draft, shown)
        self.assertNotIn(closed, shown)

    def test_issue_found_by_its_publication_name(self):
        Issue = self.env["publication.issue"].with_user(self.agent)
        found = Issue.name_search("Parish Monthly", limit=500)
        self.assertTrue(found)
        self.assertEqual(
            Issue.browse([issue_id for issue_id, _name in found]).publication_id,
            self.monthly,
        )
        search = self._arch("publication.issue", "search")
        issue_field = search.xpath("//field[@name='name']")[0]
        self.assertIn("publication_id.name", issue_field.get("filter_domain"))
