from datetime import date

from freezegun import freeze_time
from lxml import etree

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import PublicationCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-03-01")
class TestRetention(PublicationCommon):
    """Cancellation with save offers: what is offered, what accepting does to
    the next term, what is recorded, and the save rates of the analysis."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.monthly.write(
            {
                "retention_pause": True,
                "retention_plan_id": cls.plan_monthly_digital.id,
                "retention_discount": 20.0,
                "pause_notice_days": 3,
            }
        )
        cls.reason_price = cls.env.ref("publication_crm.churn_reason_price")
        cls.Attempt = cls.env["publication.retention.attempt"]

    def _active(self, **vals):
        subscription = self._confirmed(**vals)
        self._pay(self._invoice(subscription))
        return subscription.with_user(self.user)

    def _attempt_counts(self):
        return self._counts() | {"attempts": self.Attempt.search_count([])}

    def test_offers_follow_the_publication_and_the_offer(self):
        subscription = self._active()
        self.assertEqual(
            subscription._retention_offers(),
            {"pause": True, "plan": self.plan_monthly_digital, "discount": 20.0},
        )
        self.monthly.retention_plan_id = self.plan_issues  # another term
        self.monthly.retention_pause = False
        self.assertEqual(subscription._retention_offers(), {"discount": 20.0})
        member = self._confirmed(recipient_id=self.bob.id, origin="member")
        self.assertEqual(member._retention_offers(), {}, "nothing to discount")

    def test_cheaper_offer_applies_from_the_next_term(self):
        subscription = self._active()
        attempt = subscription._retention("plan", self.reason_price, "portal")
        self.assertRecordValues(
            attempt,
            [
                {
                    "outcome": "plan",
                    "channel": "portal",
                    "churn_reason_id": self.reason_price.id,
                    "offered_pause": True,
                    "offered_plan_id": self.plan_monthly_digital.id,
                    "offered_discount": 20.0,
                    "save_rate": 100.0,
                }
            ],
        )
        self.assertEqual(subscription.state, "active", "not cancelled")
        self.assertEqual(subscription.plan_id, self.plan_annual, "this term unchanged")
        self.assertEqual(subscription._next_term_amount(), 50.0)
        with freeze_time("2026-12-01"):
            period = subscription._renew()
        self.assertEqual(period.amount, 50.0)
        self.assertEqual(period.invoice_id.amount_untaxed, 50.0)
        self.assertEqual(period.date_end, date(2027, 12, 31))
        self.assertRecordValues(
            subscription,
            [
                {
                    "plan_id": self.plan_monthly_digital.id,
                    "delivery_method": "digital",
                    "amount": 50.0,
                    "next_plan_id": False,
                }
            ],
        )

    def test_discount_is_for_the_next_term_only(self):
        subscription = self._active()
        subscription._retention("discount", self.reason_price, "portal")
        self.assertEqual(subscription.next_discount, 20.0)
        with freeze_time("2026-12-01"):
            period = subscription._renew()
        self.assertEqual(period.amount, 96.0)  # 120 - 20 %
        self.assertEqual(period.invoice_id.amount_untaxed, 96.0)
        self.assertEqual(subscription.next_discount, 0.0)
        self._pay(period.invoice_id)
        with freeze_time("2027-12-01"):
            self.assertEqual(subscription._renew().amount, 120.0)

    def test_pause_instead_uses_the_portal_rules(self):
        subscription = self._active()
        end = subscription.date_end
        subscription._retention(
            "pause",
            self.reason_price,
            "portal",
            date_from=date(2026, 3, 20),
            date_to=date(2026, 4, 10),
        )
        self.assertEqual(len(subscription.pause_ids), 1)
        self.assertGreater(subscription.date_end, end)
        with self.assertRaises(UserError) as caught:
            subscription._retention(
                "pause",
                self.reason_price,
                "portal",
                date_from=date(2026, 3, 2),
                date_to=date(2026, 3, 10),
            )
        self.assertIn("notice", str(caught.exception))

    def test_cancel_now_or_planned_is_recorded(self):
        subscription = self._active()
        attempt = subscription._retention(
            "cancelled", self.reason_price, "portal", date_cancel=date(2026, 3, 1)
        )
        self.assertEqual(subscription.state, "cancelled")
        self.assertEqual(subscription.churn_reason_id, self.reason_price)
        self.assertEqual((attempt.outcome, attempt.save_rate), ("cancelled", 0.0))
        later = self._active(recipient_id=self.bob.id)
        later._retention(
            "cancelled", self.reason_price, "portal", date_cancel=date(2026, 6, 30)
        )
        self.assertEqual(later.state, "active")
        self.assertEqual(later.date_cancel_planned, date(2026, 6, 30))
        with self.assertRaises(UserError) as caught:
            later._retention("discount", self.reason_price, "portal")
        self.assertIn("already to be cancelled on", str(caught.exception))
        self.assertFalse(later.next_discount)

    def test_refusals_write_nothing(self):
        subscription = self._active()
        before = self._attempt_counts()
        for outcome, reason, values, text in (
            ("cancelled", False, {"date_cancel": date(2026, 3, 1)}, "churn reason"),
            ("cancelled", self.reason_price, {"date_cancel": date(2026, 2, 1)}, "past"),
            ("upgrade", self.reason_price, {}, "not a save offer"),
        ):
            with self.assertRaises(UserError) as caught:
                subscription._retention(outcome, reason, "portal", **values)
            self.assertIn(text, str(caught.exception))
        self.monthly.retention_discount = 0.0
        with self.assertRaises(UserError):
            subscription._retention("discount", self.reason_price, "portal")
        self.assertEqual(self._attempt_counts(), before)
        self.assertFalse(subscription.next_discount)
        subscription.sudo()._cancel(date(2026, 3, 1), self.reason_price)
        with self.assertRaises(UserError) as caught:
            subscription._retention("plan", self.reason_price, "portal")
        self.assertIn("needs an open subscription", str(caught.exception))

    def test_next_term_fields_are_not_written_by_hand(self):
        subscription = self._active()
        for vals in ({"next_discount": 90.0}, {"next_plan_id": self.plan_issues.id}):
            with self.assertRaises(AccessError):
                subscription.write(vals)

    def test_back_office_wizard_records_the_outcome(self):
        subscription = self._active()
        kept = self._active(recipient_id=self.bob.id)
        Wizard = self.env["publication.subscription.cancel.wizard"].with_user(self.user)
        form = Form(Wizard.with_context(active_ids=subscription.ids))
        form.churn_reason_id = self.reason_moved
        form.save().action_cancel()
        form = Form(Wizard.with_context(active_ids=kept.ids))
        form.churn_reason_id = self.reason_price
        form.outcome = "discount"
        form.save().action_cancel()
        attempts = self.Attempt.search([], order="id")
        self.assertRecordValues(
            attempts,
            [
                {
                    "subscription_id": subscription.id,
                    "channel": "backoffice",
                    "outcome": "cancelled",
                    "churn_reason_id": self.reason_moved.id,
                },
                {
                    "subscription_id": kept.id,
                    "channel": "backoffice",
                    "outcome": "discount",
                    "churn_reason_id": self.reason_price.id,
                },
            ],
        )
        self.assertEqual(subscription.state, "cancelled")
        self.assertEqual((kept.state, kept.next_discount), ("active", 20.0))

    def test_save_rates_by_reason_and_by_offer(self):
        partners = self.env["res.partner"].create(
            [{"name": f"Reader {n}"} for n in range(5)]
        )
        subs = [self._active(recipient_id=p.id) for p in partners]
        plan = self.plan_monthly_digital
        everything = {"pause": True, "plan": plan, "discount": 20.0}
        price, moved = self.reason_price, self.reason_moved
        for subscription, outcome, reason, offers in (
            (subs[0], "discount", price, everything),
            (subs[1], "cancelled", price, everything),
            (subs[2], "pause", price, {"pause": True, "discount": 20.0}),
            (subs[3], "cancelled", moved, {"pause": True}),
            (subs[4], "cancelled", moved, {}),
        ):
            subscription._log_retention(outcome, reason, "portal", offers)
        self.env.flush_all()
        by_reason = dict(
            self.Attempt._read_group(
                [], ["churn_reason_id"], ["save_rate:avg"], order="churn_reason_id"
            )
        )
        # price: 2 saved of 3; moved: none of 2
        self.assertAlmostEqual(by_reason[price], 200 / 3)
        self.assertAlmostEqual(by_reason[moved], 0.0)
        [[overall]] = self.Attempt._read_group([], [], ["save_rate:avg"])
        self.assertAlmostEqual(overall, 40.0)
        Report = self.env["publication.retention.report"].with_user(self.user)
        by_offer = {
            offer: (shown, accepted, rate)
            for offer, shown, accepted, rate in Report._read_group(
                [],
                ["offer"],
                ["offered_count:sum", "accepted_count:sum", "save_rate:avg"],
            )
        }
        # pause shown 4 times, taken once; the plan twice, never; discount 3, once
        self.assertEqual(by_offer["pause"][:2], (4, 1))
        self.assertAlmostEqual(by_offer["pause"][2], 25.0)
        self.assertEqual(by_offer["plan"], (2, 0, 0.0))
        self.assertEqual(by_offer["discount"][:2], (3, 1))
        self.assertAlmostEqual(by_offer["discount"][2], 100 / 3)

    def test_back_office_cancellation_counts_the_offers_refused(self):
        """Three readers saw every offer: one took the discount on the portal,
        one cancelled there and one cancelled with the back office. By hand:
        each offer was shown 3 times; the discount saved 1 of 3 (33.33 %)."""
        partners = self.env["res.partner"].create(
            [{"name": f"Reader {n}"} for n in range(3)]
        )
        saved, portal_cancel, office_cancel = (
            self._active(recipient_id=p.id) for p in partners
        )
        saved._retention("discount", self.reason_price, "portal")
        portal_cancel._retention(
            "cancelled", self.reason_price, "portal", date_cancel=date(2026, 3, 1)
        )
        Wizard = self.env["publication.subscription.cancel.wizard"].with_user(self.user)
        form = Form(Wizard.with_context(active_ids=office_cancel.ids))
        form.churn_reason_id = self.reason_price
        form.save().action_cancel()
        self.assertEqual(office_cancel.state, "cancelled")
        self.env.flush_all()
        Report = self.env["publication.retention.report"].with_user(self.user)
        by_offer = {
            offer: (shown, accepted, rate)
            for offer, shown, accepted, rate in Report._read_group(
                [],
                ["offer"],
                ["offered_count:sum", "accepted_count:sum", "save_rate:avg"],
            )
        }
        # today's main: 50.0 (the back office's cancellation showed nothing)
        self.assertEqual(round(by_offer["discount"][2], 2), 33.33)
        self.assertEqual(by_offer["discount"][:2], (3, 1))
        self.assertEqual(by_offer["pause"], (3, 0, 0.0))
        self.assertEqual(by_offer["plan"], (3, 0, 0.0))
        self.assertRecordValues(
            self.Attempt.search([("subscription_id", "=", office_cancel.id)]),
            [
                {
                    "channel": "backoffice",
                    "outcome": "cancelled",
                    "offered_pause": True,
                    "offered_plan_id": self.plan_monthly_digital.id,
                    "offered_discount": 20.0,
                }
            ],
        )

    def _wizard_form(self, subscriptions):
        Wizard = self.env["publication.subscription.cancel.wizard"].with_user(self.user)
        return Form(Wizard.with_context(active_ids=subscriptions.ids))

    def test_wizard_offers_only_what_the_publication_configures(self):
        """The back office offers the save offers of the portal
        (_retention_offers): all, some or none, as the publication sets."""
        subscription = self._active()
        form = self._wizard_form(subscription)
        self.assertEqual(
            form.available_outcomes, ["cancelled", "pause", "plan", "discount"]
        )
        self.assertEqual(form.offer_plan_id, self.plan_monthly_digital)
        self.assertEqual(form.offer_discount, 20.0)
        self.monthly.write({"retention_pause": False, "retention_plan_id": False})
        form = self._wizard_form(subscription)
        self.assertEqual(form.available_outcomes, ["cancelled", "discount"])
        self.assertTrue(form.has_offers)
        self.monthly.retention_discount = 0.0
        form = self._wizard_form(subscription)
        self.assertEqual(form.available_outcomes, ["cancelled"])
        self.assertFalse(form.has_offers, "the outcome is not even shown")
        # the form offers the allowed outcomes only
        view = self.env["publication.subscription.cancel.wizard"].get_views(
            [(False, "form")]
        )
        [outcome] = etree.fromstring(view["views"]["form"]["arch"]).xpath(
            "//field[@name='outcome']"
        )
        self.assertEqual(outcome.get("widget"), "selection_badge_with_filter")
        self.assertIn("available_outcomes", outcome.get("options"))
        # an outcome not offered (over RPC) is refused and writes nothing
        wizard = (
            self.env["publication.subscription.cancel.wizard"]
            .with_user(self.user)
            .create(
                {
                    "subscription_ids": subscription.ids,
                    "churn_reason_id": self.reason_price.id,
                    "outcome": "discount",
                }
            )
        )
        before = self._attempt_counts()
        with self.assertRaises(UserError) as caught:
            wizard.action_cancel()
        self.assertIn("not a save offer", str(caught.exception))
        self.assertEqual(self._attempt_counts(), before)
        self.assertEqual(
            (subscription.state, subscription.next_discount), ("active", 0)
        )

    def test_wizard_offers_what_every_subscription_chosen_gets(self):
        monthly = self._active()
        daily = self._active(
            recipient_id=self.bob.id,
            publication_id=self.daily.id,
            plan_id=self.plan_daily.id,
        )
        self.assertEqual(daily._retention_offers(), {})
        form = self._wizard_form(monthly | daily)
        self.assertEqual(form.available_outcomes, ["cancelled"])

    def test_wizard_pause_instead(self):
        subscription = self._active()
        end = subscription.date_end
        form = self._wizard_form(subscription)
        form.churn_reason_id = self.reason_price
        form.outcome = "pause"
        form.pause_date_from = date(2026, 3, 20)
        form.pause_date_to = date(2026, 4, 10)
        form.save().action_cancel()
        self.assertEqual(len(subscription.pause_ids), 1)
        self.assertGreater(subscription.date_end, end)
        self.assertEqual(subscription.state, "active")
        self.assertEqual(subscription.retention_attempt_ids.sudo().outcome, "pause")
