import json
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import PublicationCommon


@tagged("post_install", "-at_install")
class TestJson2Api(PublicationCommon, HttpCase):
    """The example of readme/API.md, section "Methods for integrations": an
    integration with a Publication User's API key over Odoo 19's JSON-2 API."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        api_keys = cls.env["res.users.apikeys"].with_user(cls.user)
        cls.api_key = api_keys._generate(
            "rpc", "Subscription shop", fields.Datetime.now() + timedelta(days=1)
        )

    def _call(self, model, method, **body):
        response = self.url_open(
            f"/json/2/{model}/{method}",
            data=json.dumps(body),
            headers={
                "Authorization": f"bearer {self.api_key}",
                "Content-Type": "application/json; charset=utf-8",
            },
        )
        if response.headers.get("Content-Type", "").startswith("application/json"):
            return response.status_code, response.json()
        return response.status_code, response.text

    def test_create_confirm_and_cancel_a_subscription(self):
        status, ids = self._call(
            "publication.subscription",
            "create",
            vals_list=[
                {
                    "recipient_id": self.alice.id,
                    "publication_id": self.monthly.id,
                    "plan_id": self.plan_annual.id,
                }
            ],
        )
        self.assertEqual(status, 200, ids)
        subscription = self.env["publication.subscription"].browse(ids)
        self.assertEqual(subscription.create_uid, self.user)
        status, _result = self._call(
            "publication.subscription", "action_confirm", ids=ids
        )
        self.assertEqual(status, 200, _result)
        status, [record] = self._call(
            "publication.subscription",
            "read",
            ids=ids,
            fields=["name", "state", "date_end", "amount"],
        )
        self.assertEqual(status, 200)
        self.assertEqual(record["state"], "waiting", "awaiting payment")
        self.assertEqual(record["name"], subscription.name)
        self.assertTrue(self._invoice(subscription), "the first period is invoiced")
        # cancel through the wizard, as the Cancel button does
        today = fields.Date.to_string(fields.Date.context_today(subscription))
        status, wizard_ids = self._call(
            "publication.subscription.cancel.wizard",
            "create",
            vals_list=[
                {
                    "subscription_ids": [[6, 0, ids]],
                    "date_cancel": today,
                    "churn_reason_id": self.reason_moved.id,
                }
            ],
        )
        self.assertEqual(status, 200, wizard_ids)
        status, _result = self._call(
            "publication.subscription.cancel.wizard", "action_cancel", ids=wizard_ids
        )
        self.assertEqual(status, 200, _result)
        self.assertEqual(subscription.state, "cancelled")
        self.assertEqual(subscription.churn_reason_id, self.reason_moved)

    def test_private_methods_are_refused(self):
        subscription = self._confirmed()
        with mute_logger("odoo.http"):  # Odoo logs each refused call
            status, error = self._call(
                "publication.subscription",
                "_cancel",
                ids=subscription.ids,
                date_cancel="2026-06-30",
                churn_reason=self.reason_moved.id,
            )
        self.assertEqual(status, 403)
        self.assertIn("cannot be called remotely", error["message"])
        self.assertNotEqual(subscription.state, "cancelled")

    def test_a_wrong_key_is_refused(self):
        self.api_key = "not-a-key"
        status, _error = self._call("publication.subscription", "search", domain=[])
        self.assertEqual(status, 401)
