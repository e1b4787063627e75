import logging

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.service.model import retrying
from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL


@tagged("post_install", "-at_install")
class TestRenewalLock(TransactionCase):
    """Two renewals of one subscription at the same moment (a double click, or
    the link opened twice), each in its own real transaction as two HTTP
    requests are: the subscription is committed, and so are the renewals;
    the test deletes what it committed."""

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            self.committed = self._renewable_subscription(
                api.Environment(cr, SUPERUSER_ID, {})
            )
        self.addCleanup(self._delete_committed)

    def _renewable_subscription(self, env):
        """A subscription of 60.00 a year that began today, its first period
        free (nothing to pay first): its renewal is on offer. Returns the ids
        of what was created, by model, in the order to delete them."""
        product = env["product.product"].create(
            {
                "name": "Lock test subscription",
                "type": "service",
                "taxes_id": [Command.clear()],
            }
        )
        publication = env["publication.publication"].create(
            {"name": "Lock Test Weekly", "code": "LTW", "product_id": product.id}
        )
        plan = env["publication.subscription.plan"].create(
            {
                "name": "Annual",
                "publication_id": publication.id,
                "term_length": 12,
                "price": 60.0,
            }
        )
        reader = env["res.partner"].create({"name": "Lock test reader"})
        subscription = env["publication.subscription"].create(
            {
                "recipient_id": reader.id,
                "publication_id": publication.id,
                "plan_id": plan.id,
                "date_start": fields.Date.context_today(reader),
                "price_unit": 0.0,
            }
        )
        subscription.action_confirm()
        subscription.price_unit = 60.0
        self.assertEqual(subscription._online_offer(), "renewal")
        return {
            "publication.subscription": subscription.ids,
            "account.move": [],  # the renewal's invoice, known once renewed
            "publication.publication": publication.ids,
            "product.template": product.product_tmpl_id.ids,
            "res.partner": reader.ids,
        }

    def _delete_committed(self):
        """Delete what the test committed, with its messages and followers."""
        with self.registry.cursor() as cr:
            for model, ids in self.committed.items():
                of_ids = SQL("res_id = ANY(%s)", ids)
                cr.execute(
                    SQL(
                        "DELETE FROM mail_message WHERE model = %s AND %s",
                        model,
                        of_ids,
                    )
                )
                cr.execute(
                    SQL(
                        "DELETE FROM mail_followers WHERE res_model = %s AND %s",
                        model,
                        of_ids,
                    )
                )
                table = SQL.identifier(self.env[model]._table)
                cr.execute(SQL("DELETE FROM %s WHERE id = ANY(%s)", table, ids))

    def _subscription(self, cr):
        subscription_id = self.committed["publication.subscription"][0]
        return api.Environment(cr, SUPERUSER_ID, {})["publication.subscription"].browse(
            subscription_id
        )

    def test_the_second_renewal_at_once_is_retried_without_an_error_line(self):
        """The second request waits for the first's lock; as the first committed
        after the second began, PostgreSQL refuses the second's lock with a
        serialization failure, which Odoo's HTTP layer retries: expected, so no
        ERROR line. The retry finds the first's invoice: one renewal."""
        with self.registry.cursor() as second_cr:
            second = self._subscription(second_cr)
            second.fetch(["state"])  # the second request has begun: its snapshot
            with self.registry.cursor() as first_cr:
                invoice = self._subscription(first_cr)._invoice_to_pay_online()
                self.committed["account.move"] = invoice.ids
            with (
                self.assertNoLogs("odoo.sql_db", "ERROR"),
                # a number: Odoo names its level 25 "INFO" too
                self.assertLogs("odoo.service.model", logging.INFO) as retried,
            ):
                # as odoo.http serves a request
                again = retrying(second._invoice_to_pay_online, second.env)
            self.assertTrue(
                any("SERIALIZATION_FAILURE" in line for line in retried.output),
                "retried",
            )
            self.assertEqual(
                again.id, invoice.id, "the retry leads to the first's invoice"
            )
        with self.registry.cursor() as cr:
            subscription = self._subscription(cr)
            self.assertEqual(len(subscription.period_ids), 2, "renewed once")
            self.assertEqual(
                subscription.period_ids.invoice_id, invoice.with_env(subscription.env)
            )
            events = subscription.renewal_event_ids.filtered(
                lambda e: e.kind == "renewal"
            )
            self.assertEqual(len(events), 1)
