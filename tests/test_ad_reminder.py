from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from .common import AdvertisingCommon


@tagged("post_install", "-at_install")
class TestMaterialReminder(AdvertisingCommon):
    # February issue: material deadline 25 January, reminders from 22 January

    def _mails(self, booking):
        return self.env["mail.mail"].search(
            [
                ("model", "=", booking._name),
                ("res_id", "=", booking.id),
                ("subject", "like", "Material for"),
            ]
        )

    def _remind(self):
        self.env["publication.ad.booking"]._cron_material_reminders()

    def test_missing_material_reminded_once(self):
        self._no_cron_commit()
        with freeze_time("2026-01-01"):
            contract = self._contract()
            missing, delivered, later = self._book_months(contract, [2, 2, 3])
            self._attach_material(delivered)
            delivered.action_material_received()
        with freeze_time("2026-01-21"):
            self._remind()
            self.assertFalse(self._mails(missing), "too early")
        with freeze_time("2026-01-22"):
            self._remind()
        mail = self._mails(missing)
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.state, "outgoing", "queued, not sent at once")
        self.assertEqual(mail.recipient_ids, self.bakery)
        self.assertIn("PM 2026/2", mail.subject)
        self.assertEqual(missing.material_reminder_date, date(2026, 1, 22))
        self.assertIn("Material reminder queued", missing.message_ids[0].body)
        activity = missing.activity_ids
        self.assertEqual(activity.user_id, self.user, "the salesperson")
        self.assertEqual(activity.date_deadline, date(2026, 1, 25))
        self.assertFalse(self._mails(delivered))
        self.assertFalse(self._mails(later))
        with freeze_time("2026-01-23"):
            self._remind()
        self.assertEqual(self._mails(missing), mail, "reminded once")
        self.assertEqual(len(missing.activity_ids), 1)

    def test_agency_reminded_for_its_advertiser(self):
        self._no_cron_commit()
        with freeze_time("2026-01-01"):
            contract = self._contract(agency_id=self.agency.id, commission=10.0)
            booking = self._book(contract, date(2026, 2, 1))
        with freeze_time("2026-01-24"):
            self._remind()
        self.assertEqual(self._mails(booking).recipient_ids, self.agency)
        self.assertIn("Bakery", self._mails(booking).body_html)

    def test_no_reminder_after_the_deadline(self):
        self._no_cron_commit()
        with freeze_time("2026-01-01"):
            booking = self._book(self._contract(), date(2026, 2, 1))
        with freeze_time("2026-01-26"):
            self._remind()
        self.assertFalse(self._mails(booking))
        self.assertFalse(booking.material_reminder_date)

    def test_received_material_closes_the_activity(self):
        self._no_cron_commit()
        with freeze_time("2026-01-01"):
            booking = self._book(self._contract(), date(2026, 2, 1))
        with freeze_time("2026-01-22"):
            self._remind()
            self.assertTrue(booking.activity_ids)
            self._attach_material(booking)
            booking.with_user(self.user).action_material_received()
        self.assertFalse(booking.activity_ids)
