import re
from datetime import date
from unittest.mock import patch

from freezegun import freeze_time
from lxml import etree

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools.misc import file_path
from odoo.tools.translate import xml_translate

from odoo.addons.publication_crm.models.publication_automation import (
    publication_automation,
)

from .common import AutomationCommon, CronCommits, CronCrash


@tagged("post_install", "-at_install")
class TestRenewalAutomation(AutomationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.readers = cls.env["res.partner"].create(
            [
                {"name": f"Reader {n}", "email": f"reader{n}@example.com"}
                for n in range(5)
            ]
        )

    def test_mail_templates_say_copy_and_copies_in_whole_words(self):
        """ "1 copy" and "n copies" are whole terms a translator can put in
        another language, not "cop" + "y" / "ies"."""
        data = etree.parse(file_path("publication_crm/data/mail_template_data.xml"))
        terms = []
        for body in data.iterfind(".//field[@name='body_html']"):
            xml_translate(terms.append, etree.tostring(body, encoding="unicode"))
        self.assertTrue(any("1 copy" in term for term in terms))
        self.assertTrue(any("copies" in term for term in terms))
        self.assertFalse([term for term in terms if re.search(r"\bcop\b", term)])

    def test_catching_up_sends_only_the_most_urgent_reminder(self):
        with freeze_time("2026-01-01"):
            subscription = self._confirmed()
        with freeze_time("2026-12-29"):  # no run for a month
            self._run("_cron_renewal_reminders")
            self._run("_cron_renewal_reminders")
        self.assertEqual(
            self._events(subscription),
            [(date(2026, 12, 29), subscription, "reminder", 3)],
        )

    def test_reminder_is_posted_for_the_payer_and_mailed_through_the_queue(self):
        self.alice.email = "alice@example.com"
        with freeze_time("2026-01-01"):
            gift = self._confirmed(
                recipient_id=self.bob.id, payer_id=self.alice.id, origin="gift"
            )
        with freeze_time("2026-12-01"):
            self._run("_cron_renewal_reminders")
        message = gift.message_ids.filtered(lambda m: m.message_type == "comment")
        self.assertEqual(len(message), 1)
        self.assertEqual(
            message.partner_ids, self.alice, "the payer, not the recipient"
        )
        self.assertIn("ends on", message.subject)
        self.assertIn("Bob", message.body, "the gift's recipient is named")
        self.assertIn(f"/publication/renew/{gift.id}?access_token=", message.body)
        mail = self.env["mail.mail"].search([("mail_message_id", "=", message.id)])
        self.assertEqual(mail.state, "outgoing", "queued, not sent by the cron")

    def test_renewal_link_opens_the_unpaid_invoice_or_renews_once(self):
        with freeze_time("2026-01-01"):
            subscription = self._confirmed()
            self.assertEqual(
                subscription._invoice_to_pay_online(), self._invoice(subscription)
            )
            self._pay(self._invoice(subscription))
        with freeze_time("2026-12-10"):
            invoice = subscription._invoice_to_pay_online()
            self.assertEqual(invoice, subscription._invoice_to_pay_online(), "once")
        self.assertEqual(subscription.date_end, date(2027, 12, 31))
        self.assertEqual(invoice.invoice_line_ids.price_subtotal, 120.0)
        self.assertEqual(len(subscription.period_ids), 2)

    def test_sponsor_and_key_account_get_one_call_instead_of_mails(self):
        self.sponsor.publication_key_account = True
        with freeze_time("2026-01-01"):
            sponsored = self.env["publication.subscription"].create(
                [
                    {
                        "recipient_id": reader.id,
                        "payer_id": self.sponsor.id,
                        "origin": "sponsored",
                        "publication_id": self.monthly.id,
                        "plan_id": self.plan_annual.id,
                    }
                    for reader in self.readers[:3]
                ]
            )
            sponsored.action_confirm()
            self._pay(self._invoice(sponsored))
        with freeze_time("2026-12-01"):
            self._run()
        with freeze_time("2026-12-20"):
            self._run()
        activities = sponsored.activity_ids
        self.assertEqual(len(activities), 1, "one call for the sponsor's three copies")
        self.assertIn("3 subscription(s) of Valley Bank", activities.summary)
        self.assertFalse(
            sponsored.message_ids.filtered(lambda m: m.message_type == "comment"),
            "no reminder e-mail",
        )
        self.assertEqual(
            [e[2:] for e in self._events(sponsored)],
            [("staff", 30)] * 3 + [("staff", 14)] * 3,
        )

    def test_offer_to_switch_to_continuous_then_one_click(self):
        self.plan_annual.offer_continuous = True
        with freeze_time("2026-01-01"):
            subscription = self._confirmed()
            self._pay(self._invoice(subscription))
        with freeze_time("2026-12-01"):
            self._run("_cron_renewal_reminders")
            self._run("_cron_renewal_reminders")
        self.assertEqual(
            [e[2] for e in self._events(subscription)], ["reminder", "conversion"]
        )
        subscription.with_user(self.user).action_switch_to_continuous()
        self.assertEqual(subscription.renewal_type, "continuous")
        with freeze_time("2026-12-31"):
            self._run()
        self.assertEqual(subscription.date_end, date(2027, 12, 31))
        self.assertEqual(len(subscription.period_ids.invoice_id), 2)

    def test_one_failing_subscription_does_not_block_the_others(self):
        plan_without_product = self.plan_quarterly.copy({"name": "No product"})
        with freeze_time("2026-01-01"):
            good = self._active_continuous(self.readers[:3])
            bad = self._active_continuous(self.readers[3:4], plan=plan_without_product)
        with freeze_time("2026-03-31"):
            self.plan_quarterly.product_id = self.product
            self.monthly.product_id = False
            for _run in range(2):
                with self.assertLogs(publication_automation.__name__, "WARNING"):
                    self._run("_cron_renew")
        self.assertEqual(good.mapped("date_end"), [date(2026, 6, 30)] * 3)
        self.assertEqual(bad.date_end, date(2026, 3, 31), "not renewed")
        self.assertIn("Set a Subscription Product", bad.automation_error)
        failures = bad.message_ids.filtered(lambda m: "automation failed" in m.body)
        self.assertEqual(len(failures), 1, "one note however often it fails")
        self.assertEqual(
            len(bad.activity_ids), 1, "one activity however often it fails"
        )
        with freeze_time("2026-04-01"):
            plan_without_product.product_id = self.product
            self._run("_cron_renew")
        self.assertEqual(bad.date_end, date(2026, 6, 30), "caught up the next day")
        self.assertFalse(bad.automation_error)
        self.assertFalse(bad.activity_ids, "the activity is done")

    def test_a_crash_mid_batch_and_a_rerun_leave_no_duplicate_and_no_gap(self):
        with freeze_time("2026-01-01"):
            subscriptions = self._active_continuous(self.readers)
        with (
            freeze_time("2026-03-31"),
            patch.object(publication_automation, "BATCH_SIZE", 2),
        ):
            commits = CronCommits(self.env)
            # not assertRaises: its savepoint would be released by a "commit"
            crashed = False
            with self._crash_in_invoicing(2):
                try:
                    self._run("_cron_renew", commits=commits)
                except CronCrash:
                    crashed = True
            self.assertTrue(crashed)
            commits.crash()
            self.env.invalidate_all()
            self.assertEqual(
                subscriptions.mapped("date_end"),
                [date(2026, 6, 30)] * 2 + [date(2026, 3, 31)] * 3,
                "the first batch was committed, the second rolled back",
            )
            self._run("_cron_renew")
            self._run("_cron_renew")
        for subscription in subscriptions:
            self.assertEqual(
                subscription.period_ids.mapped("date_start"),
                [date(2026, 1, 1), date(2026, 4, 1)],
            )
            self.assertEqual(len(subscription.sudo().period_ids.invoice_id), 2)
        self.assertEqual(len(self._events(subscriptions, "renewal")), 5)

    def test_a_run_out_of_time_goes_on_at_the_next_call(self):
        with freeze_time("2026-01-01"):
            subscriptions = self._active_continuous(self.readers)
        Automation = self.env["publication.automation"]
        with (
            freeze_time("2026-03-31"),
            patch.object(publication_automation, "BATCH_SIZE", 2),
            patch.object(
                self.registry["ir.cron"], "_commit_progress", autospec=True
            ) as progress,
        ):
            progress.side_effect = CronCommits(self.env, time_up_after=1)
            self.assertFalse(Automation._cron_renew(), "stopped after one batch")
            self.assertEqual(progress.side_effect.calls, [(0, 5), (2, None)])
            self.assertEqual(len(self._events(subscriptions, "renewal")), 2)
            progress.side_effect = CronCommits(self.env)
            self.assertTrue(Automation._cron_renew())
            self.assertEqual(progress.side_effect.calls, [(0, 3), (2, None), (1, None)])
        self.assertEqual(len(self._events(subscriptions, "renewal")), 5)

    def test_queries_per_renewal_do_not_grow_with_the_batch(self):
        partners = self.env["res.partner"].create(
            [{"name": f"Subscriber {n}"} for n in range(60)]
        )
        with freeze_time("2026-01-01"):
            small = self._active_continuous(partners[:10])
            large = self._active_continuous(partners[10:])
        per_renewal = {}
        for subscriptions in (small, large):
            self.env.invalidate_all()
            with freeze_time("2026-03-31"):
                queries = self.env.cr.sql_log_count
                subscriptions._renew()
                self.env.flush_all()
                per_renewal[len(subscriptions)] = (
                    self.env.cr.sql_log_count - queries
                ) / len(subscriptions)
        self.assertLessEqual(
            per_renewal[50], per_renewal[10], f"queries per renewal: {per_renewal}"
        )

    def test_renewal_tracks_the_new_end_in_each_chatter_once(self):
        """The batch logs its tracking at once: each chatter shows the change
        as a write would, also for a subscription already changed in the same
        transaction (its changes in one message, not twice)."""
        with freeze_time("2026-01-01"):
            subscriptions = self._active_continuous(self.readers[:3])
            for subscription in subscriptions:
                self._pay(self._invoice(subscription))
        self.env.cr.flush()  # ends the transaction's tracking of their creation
        # the tests' context disables tracking: track as in production
        subscriptions = subscriptions.with_context(
            tracking_disable=False, mail_notrack=False
        )
        tracking = self.env["mail.tracking.value"]
        before = tracking.search([]).ids
        changed_first = subscriptions[0]
        changed_first.sudo().write({"delivery_address_id": self.bob.id})
        with freeze_time("2026-03-31"):
            subscriptions._renew()
        self.env.cr.flush()
        new = tracking.search([("id", "not in", before)])
        for subscription in subscriptions:
            mine = new.filtered(
                lambda t, s=subscription: t.mail_message_id.res_id == s.id
            )
            self.assertEqual(
                set(mine.mapped("field_id.name")),
                {"date_end", "delivery_address_id"}
                if subscription == changed_first
                else {"date_end"},
                subscription.name,
            )
            self.assertEqual(len(mine.mail_message_id), 1, "one message each")
            end = mine.filtered(lambda t: t.field_id.name == "date_end")
            self.assertEqual(end.old_value_datetime.date(), date(2026, 3, 31))
            self.assertEqual(end.new_value_datetime.date(), date(2026, 6, 30))
            self.assertEqual(end.mail_message_id.model, subscription._name)
            self.assertEqual(
                end.mail_message_id.subtype_id, self.env.ref("mail.mt_note")
            )

    def test_mail_keeps_pending_tracking_where_the_batch_looks(self):
        """_write_tracked_in_batch reads mail's private
        cr.precommit.data["mail.tracking.<model>"]: {id: {field: value before}}
        of the records whose tracking is pending in the transaction (None when
        discarded), popped when the transaction ends. This fails when mail
        changes it (then the batch would log a change twice)."""
        with freeze_time("2026-01-01"):
            subscriptions = self._active_continuous(self.readers[:2])
        self.env.cr.flush()  # ends the transaction's tracking of their creation
        key = f"mail.tracking.{subscriptions._name}"
        self.assertNotIn(key, self.env.cr.precommit.data)
        tracked = subscriptions.with_context(tracking_disable=False, mail_notrack=False)
        address = tracked[0].delivery_address_id
        tracked[0].sudo().write({"delivery_address_id": self.bob.id})
        tracked[1]._track_discard()
        pending = self.env.cr.precommit.data[key]
        self.assertEqual(set(pending), set(tracked.ids))
        self.assertEqual(pending[tracked[0].id]["delivery_address_id"], address)
        self.assertIsNone(pending[tracked[1].id])
        self.env.cr.flush()
        self.assertNotIn(key, self.env.cr.precommit.data)

    def test_manual_renewal_of_a_fixed_term(self):
        with freeze_time("2026-01-01"):
            subscription = self._confirmed()
            self._pay(self._invoice(subscription))
        with freeze_time("2026-12-15"):
            subscription.with_user(self.user).action_renew()
            self._run()
        self.assertEqual(subscription.date_end, date(2027, 12, 31))
        self.assertEqual(
            subscription.reminder_days_sent, 0, "a new term, no reminder yet"
        )
        self.assertEqual([e[2:] for e in self._events(subscription)], [("renewal", 0)])

    def test_trials_and_member_copies_get_no_renewal_offer_by_e_mail(self):
        with freeze_time("2026-01-01"):
            trial = self._confirmed(origin="trial")
            member = self._confirmed(recipient_id=self.bob.id, origin="member")
        with freeze_time("2026-12-20"):
            self._run()
            self.assertFalse(trial._invoice_to_pay_online(), "the link renews nothing")
        self.assertFalse(self._events(trial | member, "reminder"))
        self.assertEqual(len(trial.period_ids), 1)

    def test_a_cancelled_invoice_is_not_reminded_nor_suspends(self):
        with freeze_time("2026-01-01"):
            subscription = self._confirmed()
            invoice = self._invoice(subscription)
            invoice.button_draft()
            invoice.button_cancel()
        with freeze_time("2026-03-01"):
            self._run()
        self.assertFalse(self._events(subscription))
        self.assertEqual(subscription.state, "active")
        self.assertFalse(subscription._unpaid_invoice())

    def test_a_continuous_subscription_failing_to_renew_is_not_expired(self):
        plan_without_product = self.plan_quarterly.copy({"name": "No product"})
        with freeze_time("2026-01-01"):
            subscription = self._active_continuous(
                self.readers[:1], plan=plan_without_product
            )
            self._pay(self._invoice(subscription))
        self.monthly.product_id = False
        with (
            freeze_time("2026-05-01"),
            self.assertLogs(publication_automation.__name__, "WARNING"),
        ):
            self._run()
        self.assertEqual(subscription.state, "active", "shown as failed, not churned")
        self.assertTrue(subscription.automation_error)

    def test_a_pause_moving_the_end_restarts_the_reminders(self):
        with freeze_time("2026-01-01"):
            subscription = self._confirmed()
            self._pay(self._invoice(subscription))
        with freeze_time("2026-12-29"):
            self._run("_cron_renewal_reminders")
            subscription._pause(date(2026, 12, 30), date(2027, 2, 15), "Winter away")
            self.assertEqual(subscription.date_end, date(2027, 2, 1), "2 issues later")
            self.assertEqual(subscription.reminder_days_sent, 0)
        with freeze_time("2027-01-05"):
            self._run("_cron_renewal_reminders")
        self.assertEqual(
            [e[3] for e in self._events(subscription, "reminder")], [3, 30]
        )

    def test_reminders_sent_before_a_pause_are_sent_again_for_the_new_end(self):
        with freeze_time("2026-01-01"):
            subscription = self._confirmed()
            self._pay(self._invoice(subscription))
        for day in ("2026-12-01", "2026-12-17"):
            with freeze_time(day):
                self._run("_cron_renewal_reminders")
        with freeze_time("2026-12-18"):
            subscription._pause(date(2026, 12, 18), date(2027, 3, 15), "Winter away")
        self.assertEqual(subscription.date_end, date(2027, 3, 1), "3 issues later")
        days = ("2026-12-18", "2027-01-30", "2027-01-31", "2027-02-15", "2027-02-26")
        for day in days + days[-1:]:
            with freeze_time(day):
                self._run("_cron_renewal_reminders")
            self.assertFalse(subscription.automation_error, f"no failure on {day}")
            self.assertFalse(subscription.activity_ids, "no failure to look at")
        self.assertEqual(
            [e[:1] + e[3:] for e in self._events(subscription)],
            [
                (date(2026, 12, 1), 30),
                (date(2026, 12, 17), 14),
                (date(2027, 1, 30), 30),
                (date(2027, 2, 15), 14),
                (date(2027, 2, 26), 3),
            ],
            "each step once for each end",
        )
        events = subscription.renewal_event_ids.sorted("id")
        self.assertEqual(
            [(e.date, e.step_id.days, e.date_term_end) for e in events],
            [
                (date(2026, 12, 1), 30, date(2026, 12, 31)),
                (date(2026, 12, 17), 14, date(2026, 12, 31)),
                (date(2027, 1, 30), 30, date(2027, 3, 1)),
                (date(2027, 2, 15), 14, date(2027, 3, 1)),
                (date(2027, 2, 26), 3, date(2027, 3, 1)),
            ],
        )
        self.assertEqual(subscription.reminder_days_sent, 3)

    def test_renew_and_switch_refuse_closed_waiting_and_trial_subscriptions(self):
        self.monthly.payment_grace_days = 0  # awaiting payment at confirmation
        with freeze_time("2026-01-01"):
            waiting = self._confirmed()
            expired = self._confirmed(recipient_id=self.bob.id)
            self._pay(self._invoice(expired))
            expired._expire()
            trial = self._confirmed(recipient_id=self.carol.id, origin="trial")
        self.assertEqual(
            (waiting | expired | trial).mapped("state"),
            ["waiting", "expired", "active"],
        )
        refusals = {waiting: "Awaiting Payment", expired: "Expired", trial: "a trial"}
        with freeze_time("2026-12-15"):
            for subscription, reason in refusals.items():
                as_user = subscription.with_user(self.user)
                for action in (
                    as_user.action_renew,
                    as_user.action_switch_to_continuous,
                ):
                    with self.assertRefused(UserError, subscription.name, reason):
                        action()
        self.assertEqual(
            (waiting | expired | trial).mapped("renewal_type"), ["fixed"] * 3
        )
        self.assertEqual(len((waiting | expired | trial).period_ids), 3)

    def test_the_form_says_which_reminder_was_sent_last(self):
        arch = (
            self.env["publication.subscription"]
            .with_user(self.user)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertIn("Last Reminder", arch)
        self.assertIn("days before end", arch)
        self.assertIn("None sent for this end", arch)
        self.assertNotIn("Reminded", arch)
