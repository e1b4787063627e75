from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import PublicationCommon

SELLER = "publication_crm.group_publication_seller"


@tagged("post_install", "-at_install")
class TestCalls(PublicationCommon):
    """Outbound call campaigns: call lists from a segment shared among the
    sellers in turn, the seller's console and its results, Do Not Call, the
    sale in one step and the results per seller and campaign."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.seller_1 = cls._new_user("seller_1", SELLER)
        cls.seller_2 = cls._new_user("seller_2", SELLER)
        cls.clerk_only = cls._new_user("internal_only", "base.group_user")
        finland = cls.env.ref("base.fi")
        Partner = cls.env["res.partner"]
        cls.readers = Partner.create(
            [
                {
                    "name": f"Caller {number}",
                    "phone": f"+358 40 123 45{number:02d}",
                    "country_id": finland.id,
                    "zip": "10100",
                    "email": f"reader{number}@example.com",
                }
                for number in range(1, 6)
            ]
        )
        cls.no_phone = Partner.create({"name": "Caller without phone"})
        cls.flagged = Partner.create(
            {
                "name": "Caller flagged",
                "phone": "+358 40 765 4321",
                "country_id": finland.id,
                "publication_do_not_call": True,
            }
        )
        cls.blacklisted = Partner.create(
            {
                "name": "Caller blacklisted",
                "phone": "+358 40 765 4322",
                "country_id": finland.id,
            }
        )
        cls.env["phone.blacklist"].sudo()._add([cls.blacklisted.phone_sanitized])
        cls.segment = cls.env["publication.segment"].create(
            {
                "name": "Callers",
                "model_name": "res.partner",
                "domain": repr([("name", "=like", "Caller %")]),
            }
        )
        cls.campaign = cls.env["utm.campaign"].create({"name": "Spring calls"})
        cls.other_campaign = cls.env["utm.campaign"].create({"name": "Daily calls"})

    def _commit_chatter(self):
        """The tracking messages a commit would write."""
        self.env.flush_all()
        self.env.cr.precommit.run()

    def _call_list(self, **vals):
        return self.env["publication.call.list"].create(
            {
                "name": "Win-back",
                "segment_id": self.segment.id,
                "campaign_id": self.campaign.id,
                "plan_id": self.plan_annual.id,
                "user_ids": [(6, 0, (self.seller_1 | self.seller_2).ids)],
            }
            | vals
        )

    def _generated(self, **vals):
        call_list = self._call_list(**vals)
        call_list.with_user(self.manager).action_generate()
        return call_list

    def test_generate_in_turn_without_do_not_call(self):
        """One call per callable reader of the segment, in one create, shared
        in turn; no call to a reader without phone, marked Do Not Call or with
        a blacklisted number; generating again adds only the new ones."""
        call_list = self._call_list()
        # one query per call list, not per reader (one batched create)
        with self.assertQueryCount(30):
            call_list.with_user(self.manager).action_generate()
        calls = call_list.call_ids.sorted(lambda c: c.partner_id.id)
        self.assertEqual(calls.partner_id, self.readers)
        self.assertEqual(
            [call.user_id.login for call in calls],
            ["seller_1", "seller_2", "seller_1", "seller_2", "seller_1"],
        )
        self.assertEqual(set(calls.mapped("result")), {"todo"})
        self.assertEqual(call_list.state, "running")
        late = self.env["res.partner"].create(
            {"name": "Caller late", "phone": "+358 40 999 0000"}
        )
        call_list.with_user(self.manager).action_generate()
        added = call_list.call_ids - calls
        self.assertEqual(added.partner_id, late)
        self.assertEqual(added.user_id, self.seller_2, "the turn goes on")
        call_list.action_done()
        with self.assertRaises(UserError):
            call_list.action_generate()

    def test_do_not_call_is_honoured_later(self):
        """The seller records Do Not Call: the reader is flagged (tracked),
        the number blacklisted, the reader's calls not made yet in other
        lists withdrawn and no later list calls them."""
        first = self._generated()
        other = self._generated(name="Other list")
        reader = self.readers[0]
        call = first.call_ids.filtered(lambda c: c.partner_id == reader)
        seller = call.user_id
        chatter = {"tracking_disable": False, "mail_notrack": False}
        self._commit_chatter()  # what the setup left untracked
        call.with_user(seller).with_context(**chatter).action_do_not_call()
        self._commit_chatter()
        self.assertEqual(call.result, "do_not_call")
        self.assertTrue(reader.publication_do_not_call)
        self.assertTrue(reader.phone_sanitized_blacklisted)
        tracked = self.env["mail.tracking.value"].search(
            [
                ("mail_message_id.model", "=", "res.partner"),
                ("mail_message_id.res_id", "=", reader.id),
            ]
        )
        self.assertIn("publication_do_not_call", tracked.field_id.mapped("name"))
        self.assertNotIn(reader, other.call_ids.partner_id)
        later = self._generated(name="Later list")
        self.assertEqual(later.call_ids.partner_id, self.readers - reader)
        # honoured through the blacklist alone too
        reader.publication_do_not_call = False
        self.assertNotIn(reader, self._generated(name="Blacklist").call_ids.partner_id)

    def test_seller_sells_in_one_step(self):
        """A user with only the Seller group opens a call (the reader's
        subscriptions, open complaints and flag), records results and sells:
        the subscription of the list's offer is created, paid by the reader,
        attributed to the campaign by phone and invoiced."""
        reader = self.readers[0]
        with freeze_time("2025-01-01"):
            old = self._confirmed(recipient_id=reader.id, date_start="2025-01-01")
        with freeze_time("2026-03-02"):
            old._expire()
            self.env["helpdesk.ticket"].create(
                {
                    "name": "Missed copy",
                    "description": "<p>Nothing came</p>",
                    "partner_id": reader.id,
                }
            )
            call_list = self._generated()
            call = call_list.call_ids.filtered(lambda c: c.partner_id == reader)
            mine = call.with_user(call.user_id)
            console = mine.web_read(
                {
                    "partner_id": {},
                    "phone": {},
                    "do_not_call": {},
                    "open_ticket_count": {},
                    "history_ids": {"fields": {"name": {}, "state": {}, "plan_id": {}}},
                }
            )[0]
            self.assertEqual(console["open_ticket_count"], 1)
            self.assertFalse(console["do_not_call"])
            self.assertEqual(
                [(h["name"], h["state"]) for h in console["history_ids"]],
                [(old.name, "expired")],
            )
            mine.action_not_reached()
            with self.assertRaises(UserError):
                mine.action_callback()  # when?
            mine.callback_date = "2026-03-03 10:00:00"
            mine.note = "Call after ten"
            mine.action_callback()
            self.assertEqual(call.result, "callback")
            mine.action_sold()
        subscription = call.subscription_id
        self.assertEqual(call.result, "sold")
        self.assertEqual(subscription.recipient_id, reader)
        self.assertEqual(subscription.payer_id, reader)
        self.assertEqual(subscription.plan_id, self.plan_annual)
        self.assertEqual(subscription.campaign_id, self.campaign)
        self.assertEqual(subscription.medium_id, self.env.ref("utm.utm_medium_phone"))
        self.assertEqual(subscription.user_id, call.user_id)
        self.assertEqual(subscription.origin, "new")
        self.assertEqual(subscription.state, "waiting")
        self.assertEqual(self._invoice(subscription).amount_untaxed, 120.0)
        report = self.env["publication.campaign.report"].search(
            [("campaign_id", "=", self.campaign.id)]
        )
        self.assertEqual((report.new_count, report.revenue), (1, 120.0))
        with self.assertRaises(UserError):
            mine.action_refused()  # a sale is final

    def test_seller_sees_and_changes_only_own_calls(self):
        """A seller reads only their calls; results go through the buttons;
        no subscription or call list by hand; other users see no calls."""
        call_list = self._generated()
        own = call_list.call_ids.filtered(lambda c: c.user_id == self.seller_1)
        others = call_list.call_ids - own
        Call = self.env["publication.call"].with_user(self.seller_1)
        self.assertEqual(Call.search([]), own)
        with self.assertRaises(AccessError):
            others.with_user(self.seller_1).read(["partner_id"])
        with self.assertRaises(AccessError):
            others.with_user(self.seller_1).action_refused()
        with self.assertRaises(AccessError):
            own[0].with_user(self.seller_1).write({"result": "sold"})
        with self.assertRaises(AccessError):
            call_list.with_user(self.seller_1).action_generate()
        with self.assertRaises(AccessError):
            self._subscription(user=self.seller_1)
        with self.assertRaises(AccessError):
            self.env["publication.call"].with_user(self.clerk_only).search([])
        with self.assertRaises(AccessError):
            self.readers[1].with_user(self.seller_1).publication_do_not_call = True
        self.assertEqual(
            self.env["publication.call"]
            .with_user(self.manager)
            .search([("call_list_id", "=", call_list.id)]),
            call_list.call_ids,
        )

    def test_results_per_seller_and_campaign(self):
        """The results report equals a hand count: calls made, reached,
        reach rate, sales, conversion and revenue, per seller and campaign."""
        with freeze_time("2026-03-02"):
            spring = self._generated()
            daily = self._generated(
                name="Daily",
                campaign_id=self.other_campaign.id,
                plan_id=self.plan_daily.id,
            )
            outcomes = {
                spring: ["sold", "not_reached", "refused", "reached", "todo"],
                daily: ["not_reached", "sold", "do_not_call", "todo", "todo"],
            }
            for call_list, results in outcomes.items():
                calls = call_list.call_ids.sorted(lambda c: c.partner_id.id)
                for call, result in zip(calls, results, strict=True):
                    if result != "todo" and call.result == "todo":
                        getattr(call.with_user(call.user_id), f"action_{result}")()
        calls = (spring | daily).call_ids
        Report = self.env["publication.call.report"]
        reached = ("reached", "callback", "sold", "refused", "do_not_call")

        def hand_count(group):
            made = group.filtered(lambda c: c.result != "todo")
            hits = made.filtered(lambda c: c.result in reached)
            sales = made.filtered(lambda c: c.result == "sold")
            revenue = sum(sales.subscription_id.mapped("revenue"))
            return (
                len(made),
                len(hits),
                100.0 * len(hits) / len(made),
                len(sales),
                100.0 * len(sales) / len(hits) if hits else None,
                revenue,
            )

        measures = [
            "call_count:sum",
            "reached_count:sum",
            "reach_rate:avg",
            "sale_count:sum",
            "conversion_rate:avg",
            "revenue:sum",
        ]
        for field in ("user_id", "campaign_id"):
            rows = Report._read_group([], [field], measures)
            self.assertEqual(
                {key: tuple(values) for key, *values in rows},
                {key: hand_count(group) for key, group in calls.grouped(field).items()},
            )
        spring_row = {
            key: values
            for key, *values in Report._read_group([], ["campaign_id"], measures)
        }[self.campaign]
        # Spring: 4 calls, 3 reached, 1 sale of 120: 75 % and 33.3 %
        self.assertEqual(spring_row[:2] + spring_row[3:4], [4, 3, 1])
        self.assertAlmostEqual(spring_row[2], 75.0)
        self.assertAlmostEqual(spring_row[4], 100 / 3)
        self.assertEqual(spring_row[5], 120.0)
        own = Report.with_user(self.seller_1).search([])
        self.assertEqual(own.user_id, self.seller_1)

    def test_subscription_segment_calls_payer_or_reader(self):
        """Of a segment of subscriptions, a list calls their payers, or their
        readers as it says: a gift's giver or its reader, once each."""
        giver, reader = self.readers[:2]
        with freeze_time("2026-03-02"):
            gift = self._confirmed(recipient_id=reader.id, payer_id=giver.id)
            own = self._confirmed(
                recipient_id=giver.id,
                publication_id=self.daily.id,
                plan_id=self.plan_daily.id,
            )
            segment = self.env["publication.segment"].create(
                {
                    "name": "Gifts and givers",
                    "domain": repr([("id", "in", (gift | own).ids)]),
                }
            )
            payers = self._generated(segment_id=segment.id)
            readers = self._generated(segment_id=segment.id, call_to="recipient_id")
        self.assertEqual(payers.call_ids.partner_id, giver)
        self.assertEqual(readers.call_ids.partner_id, giver | reader)

    def test_sold_at_the_end_of_a_trial_converts_it(self):
        """A reader called at the end of a trial that converts to the list's
        offer goes on from the trial: the trial closes, the paid subscription
        starts the day after it, attributed to the campaign; a reader still
        subscribed otherwise is not sold the publication twice."""
        self.plan_trial.conversion_plan_id = self.plan_daily
        trial_reader, subscriber = self.readers[:2]
        with freeze_time("2026-01-01"):
            trial = self._confirmed(
                recipient_id=trial_reader.id,
                publication_id=self.daily.id,
                plan_id=self.plan_trial.id,
                date_start="2026-01-01",
            )
            self._confirmed(
                recipient_id=subscriber.id,
                publication_id=self.daily.id,
                plan_id=self.plan_daily.id,
                date_start="2026-01-01",
            )
        with freeze_time("2026-01-29"):
            call_list = self._generated(plan_id=self.plan_daily.id)
            calls = {call.partner_id: call for call in call_list.call_ids}
            call = calls[trial_reader].with_user(calls[trial_reader].user_id)
            call.action_sold()
            with self.assertRaises(UserError):
                calls[subscriber].with_user(calls[subscriber].user_id).action_sold()
        paid = call.sudo().subscription_id
        self.assertEqual(trial.state, "expired")
        self.assertEqual(trial.converted_subscription_id, paid)
        self.assertEqual(str(paid.date_start), "2026-01-30")
        self.assertEqual(paid.plan_id, self.plan_daily)
        self.assertEqual(paid.campaign_id, self.campaign)
        self.assertEqual(paid.medium_id, self.env.ref("utm.utm_medium_phone"))
        self.assertEqual(paid.user_id, call.user_id)
        self.assertEqual(calls[subscriber].result, "todo")
