from collections import Counter, defaultdict
from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import SQL, format_datetime

from .publication_subscription.publication_subscription import OPEN_STATES

ESCALATION = "publication_crm.mail_activity_type_escalation"
DEFAULT_TEAM = "publication_crm.helpdesk_team_subscriber_service"


class HelpdeskTicket(models.Model):
    """A subscriber's complaint: linked to the subscription, the issue and the
    route concerned, with a response deadline from its category, escalation
    when it is missed and one-click remedies. Its internals (route, deadlines,
    escalation and response times) are never readable by portal users, also
    not over RPC."""

    _name = "helpdesk.ticket"
    _inherit = ["helpdesk.ticket", "publication.automation.mixin"]

    subscription_id = fields.Many2one(
        "publication.subscription",
        compute="_compute_subscription_id",
        store=True,
        readonly=False,
        index=True,
        tracking=True,
        domain="[('company_id', '=', company_id), '|', "
        "('recipient_id', '=', partner_id), ('payer_id', '=', partner_id)]",
        help="Found from the contact: their open subscription received or paid, "
        "in the ticket's company.",
    )
    publication_id = fields.Many2one(
        related="subscription_id.publication_id", store=True, index=True
    )
    issue_id = fields.Many2one(
        "publication.issue",
        compute="_compute_issue_id",
        store=True,
        readonly=False,
        index=True,
        domain="[('publication_id', '=', publication_id)]",
        help="The issue complained about; by default the last one delivered.",
    )
    route_id = fields.Many2one(
        "publication.route",
        compute="_compute_route_id",
        store=True,
        readonly=False,
        index=True,
        groups="base.group_user",
        help="Route of the subscription's delivery address.",
    )
    ad_contract_id = fields.Many2one(
        "publication.ad.contract",
        index="btree_not_null",
        tracking=True,
        domain="[('partner_id', 'child_of', commercial_partner_id)]",
        help="The advertiser's contract the complaint is about, e.g. a misprinted ad.",
    )
    complaint_code = fields.Char(related="category_id.complaint_code", store=True)
    received_date = fields.Datetime(
        string="Received On",
        default=fields.Datetime.now,
        required=True,
        copy=False,
        help="When the complaint came in; the response deadline counts from it.",
    )
    response_deadline = fields.Datetime(
        compute="_compute_response_deadline",
        store=True,
        index=True,
        copy=False,
        groups="base.group_user",
    )
    first_response_date = fields.Datetime(
        string="First Response", readonly=True, copy=False, groups="base.group_user"
    )
    is_overdue = fields.Boolean(
        string="Overdue",
        compute="_compute_is_overdue",
        search="_search_is_overdue",
        help="Open, not answered yet and past its response deadline.",
    )
    escalated_date = fields.Datetime(
        string="Escalated On", readonly=True, copy=False, groups="base.group_user"
    )
    response_time = fields.Float(
        string="Hours to First Response",
        compute="_compute_response_time",
        store=True,
        aggregator="avg",
        groups="base.group_user",
    )
    close_time = fields.Float(
        string="Hours to Close",
        compute="_compute_close_time",
        store=True,
        aggregator="avg",
        groups="base.group_user",
    )
    rating_score = fields.Float(
        string="Satisfaction",
        compute="_compute_rating_score",
        store=True,
        aggregator="avg",
        help="Last rating given by the customer (1 to 5), 0 when not rated; "
        "averages leave out the tickets not rated.",
    )
    replacement_ids = fields.One2many(
        "publication.issue.replacement", "ticket_id", string="Replacement Copies"
    )
    extended_date = fields.Date(
        string="Extended On",
        readonly=True,
        copy=False,
        help="When the subscription was extended by one issue for this complaint.",
    )
    report_count = fields.Integer(
        string="Reports",
        default=1,
        readonly=True,
        copy=False,
        help="Times the reader reported this copy: a repeated report on the portal "
        "joins the first ticket of the subscription and issue.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        tickets = super().create(vals_list)
        tickets._land_in_team()
        return tickets

    # ------------------------------------------------------------------
    # Every complaint reaches a person
    # ------------------------------------------------------------------
    @api.model
    def _default_complaint_team(self, company):
        """The add-on's Subscriber Service when it serves company, else the
        company's first team."""
        team = self.env.ref(DEFAULT_TEAM, raise_if_not_found=False)
        team = team and team.sudo()
        if team and team.active and team.company_id in (company, company.browse()):
            return team
        return (
            self.env["helpdesk.ticket.team"]
            .sudo()
            .search([("company_id", "in", [company.id, False])], limit=1)
        )

    @api.model
    def _team_people(self, team):
        """The members of team who answer complaints: employees, not OdooBot."""
        return team.user_ids.filtered(lambda u: not u.share and not u._is_superuser())

    def _served_by(self, team):
        """The ticket's person is one of team's people, or the team has none
        and the ticket is unassigned or with an employee other than OdooBot."""
        self.ensure_one()
        people = self._team_people(team)
        if people:
            return self.user_id in people
        user = self.user_id
        return not user or not (user.share or user._is_superuser())

    def _complaint_teams(self):
        """The teams that answer subscribers: the default one and those of the
        publications."""
        publications = (
            self.env["publication.publication"]
            .sudo()
            .search([("complaint_team_id", "!=", False)])
        )
        team = self.env.ref(DEFAULT_TEAM, raise_if_not_found=False)
        return publications.complaint_team_id | (team.sudo() if team else team)

    def _land_in_team(self):
        """A complaint (a ticket of a publication's subscriber, or of a team
        answering subscribers) without team joins its publication's team (else
        the default team), and one without a person of its team (unassigned,
        OdooBot, a portal user) goes to the team's member with the fewest open
        tickets. Done as superuser: the portal and the mail gateway create
        tickets of readers. Other helpdesk tickets are left as helpdesk_mgmt
        makes them."""
        routes = {}
        complaint_teams = self._complaint_teams()
        for ticket in self.sudo().filtered(
            lambda t: t.publication_id or t.team_id in complaint_teams
        ):
            team = ticket.team_id or (
                ticket.publication_id._complaint_team()
                if ticket.publication_id
                else self._default_complaint_team(ticket.company_id)
            )
            if team != ticket.team_id or not ticket._served_by(team):
                routes[ticket] = team
        if not routes:
            return
        teams = self.env["helpdesk.ticket.team"].union(*routes.values())
        load = Counter(
            {
                (team, user): count
                for team, user, count in self.sudo()._read_group(
                    [
                        ("team_id", "in", teams.ids),
                        ("user_id", "!=", False),
                        ("stage_id.closed", "=", False),
                    ],
                    ["team_id", "user_id"],
                    ["__count"],
                )
            }
        )
        assignments = defaultdict(lambda: self.sudo().browse())
        for ticket, team in routes.items():
            served = ticket._served_by(team)
            person = ticket.user_id if served else ticket.user_id.browse()
            people = self._team_people(team)
            if not person and people:
                person = min(people, key=lambda u, t=team: (load[t, u], u.id))
                load[team, person] += 1
            assignments[team, person] |= ticket
        for (team, person), tickets in assignments.items():
            tickets.write({"team_id": team.id, "user_id": person.id})

    @api.depends("partner_id", "company_id")
    def _compute_subscription_id(self):
        """The contact's open subscription (received, else paid), else their
        last closed one, in the ticket's company; kept when it already belongs
        to the contact and the company."""
        todo = self.filtered(
            lambda t: (
                t.partner_id
                and (
                    t.subscription_id.company_id != t.company_id
                    or t.partner_id
                    not in (t.subscription_id.recipient_id | t.subscription_id.payer_id)
                )
            )
        )
        subscriptions = (
            self.env["publication.subscription"]
            .sudo()
            .search(
                [
                    ("state", "!=", "draft"),
                    ("company_id", "in", todo.company_id.ids),
                    "|",
                    ("recipient_id", "in", todo.partner_id.ids),
                    ("payer_id", "in", todo.partner_id.ids),
                ],
                order="date_start desc, id desc",
            )
            .sorted(lambda s: s.state not in OPEN_STATES)
        )
        for ticket in todo:
            partner = ticket.partner_id
            mine = subscriptions.filtered(
                lambda s, t=ticket: (
                    s.company_id == t.company_id
                    and t.partner_id in (s.recipient_id | s.payer_id)
                )
            )
            found = mine.filtered(
                lambda s, p=partner: s.recipient_id == p and s.state in OPEN_STATES
            )
            found = found or mine
            ticket.subscription_id = found[:1].id

    @api.depends("subscription_id", "received_date")
    def _compute_issue_id(self):
        for ticket in self:
            subscription = ticket.subscription_id
            if ticket.issue_id.publication_id == subscription.publication_id:
                continue
            ticket.issue_id = False
            if not subscription:
                continue
            day = fields.Date.context_today(
                ticket.with_context(tz=ticket.company_id._publication_tz()),
                ticket.received_date,
            )
            ticket.issue_id = self.env["publication.issue"].search(
                [
                    ("publication_id", "=", subscription.publication_id.id),
                    ("date", "<=", min(day, subscription.date_end or day)),
                ],
                order="date desc",
                limit=1,
            )

    @api.depends("subscription_id.route_id")
    def _compute_route_id(self):
        for ticket in self:
            ticket.route_id = ticket.subscription_id.route_id

    @api.depends(
        "received_date",
        "category_id.response_type",
        "category_id.response_hours",
        "category_id.response_cutoff_hour",
    )
    def _compute_response_deadline(self):
        for ticket in self:
            category = ticket.category_id
            if not ticket.received_date or not category.response_type:
                ticket.response_deadline = False
            elif category.response_type == "hours":
                ticket.response_deadline = ticket.received_date + timedelta(
                    hours=category.response_hours
                )
            else:
                ticket.response_deadline = ticket._same_working_day_deadline()

    def _same_working_day_deadline(self):
        """The cut-off hour of the day received, in the company's time zone, or
        of the next working day (Monday to Friday) when received later."""
        self.ensure_one()
        tz = pytz.timezone(self.company_id.partner_id.tz or "UTC")
        received = pytz.utc.localize(self.received_date).astimezone(tz)
        hours = self.category_id.response_cutoff_hour
        if hours >= 24:
            cutoff = time.max
        else:
            cutoff = time(int(hours), round(hours % 1 * 60) % 60)
        day = received.date()
        if received.time() > cutoff:
            day += timedelta(days=1)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        local = tz.localize(datetime.combine(day, cutoff).replace(microsecond=0))
        return local.astimezone(pytz.utc).replace(tzinfo=None)

    @api.depends("response_deadline", "first_response_date", "stage_id.closed")
    def _compute_is_overdue(self):
        now = fields.Datetime.now()
        for ticket in self:
            ticket.is_overdue = bool(
                ticket.response_deadline
                and ticket.response_deadline < now
                and not ticket.first_response_date
                and not ticket.stage_id.closed
            )

    def _overdue_domain(self):
        return [
            ("response_deadline", "<", fields.Datetime.now()),
            ("first_response_date", "=", False),
            ("stage_id.closed", "=", False),
        ]

    def _search_is_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            return NotImplemented
        domain = Domain(self._overdue_domain())
        return domain if (operator == "=") == value else ~domain

    @api.depends("received_date", "first_response_date")
    def _compute_response_time(self):
        for ticket in self:
            ticket.response_time = ticket._hours_since_received(
                ticket.first_response_date
            )

    @api.depends("received_date", "closed_date")
    def _compute_close_time(self):
        for ticket in self:
            ticket.close_time = ticket._hours_since_received(ticket.closed_date)

    def _hours_since_received(self, moment):
        if not moment or not self.received_date:
            return False
        return max((moment - self.received_date).total_seconds() / 3600, 0.0)

    @api.depends("rating_last_value")
    def _compute_rating_score(self):
        for ticket in self:
            ticket.rating_score = ticket.rating_last_value

    @api.model
    def _read_group_select(self, aggregate_spec, query):
        """Averages leave out the tickets not answered, not closed or not rated
        (stored as 0)."""
        measured = {
            "response_time:avg": ("response_time", "first_response_date"),
            "close_time:avg": ("close_time", "closed_date"),
            "rating_score:avg": ("rating_score", "rating_score"),
        }
        if aggregate_spec not in measured:
            return super()._read_group_select(aggregate_spec, query)
        fname, moment = measured[aggregate_spec]
        value = self._field_to_sql(self._table, fname, query)
        when = self._field_to_sql(self._table, moment, query)
        if fname == "rating_score":
            return SQL("AVG(NULLIF(%s, 0))", value)
        return SQL("AVG(CASE WHEN %s IS NOT NULL THEN %s END)", when, value)

    # ------------------------------------------------------------------
    # First response and escalation
    # ------------------------------------------------------------------
    def _message_post_after_hook(self, message, msg_values):
        """A public reply of an employee is the first response."""
        result = super()._message_post_after_hook(message, msg_values)
        if message.subtype_id == self.env.ref(
            "mail.mt_comment"
        ) and message.author_id.user_ids.filtered(lambda u: not u.share):
            self._mark_responded()
        return result

    def _mark_responded(self):
        self.filtered(lambda t: not t.first_response_date).sudo().write(
            {"first_response_date": fields.Datetime.now()}
        )

    @api.model
    def _cron_escalate_overdue(self, batch_size=None):
        """Give the team leader an activity on each overdue ticket, once. A
        ticket that cannot be escalated shows why and is tried again next run."""
        domain = Domain.AND([self._overdue_domain(), [("escalated_date", "=", False)]])
        return self.env["publication.automation"]._run(
            self, [(domain, "_escalate", None)], batch_size=batch_size
        )

    def _escalate(self):
        """Schedule an escalation activity for the team leader (the team's
        leader, else the company's first helpdesk manager) and remember it."""
        for ticket in self:
            ticket._escalate_one()

    def _escalate_one(self):
        self.ensure_one()
        leader = (
            self.team_id.user_id
            or self.env.ref("helpdesk_mgmt.group_helpdesk_manager")
            .all_user_ids.filtered(
                lambda u: not u.share and self.company_id in u.company_ids
            )
            .sorted("id")[:1]
        )
        if leader:
            self.activity_schedule(
                ESCALATION,
                date_deadline=self.company_id._publication_today(),
                summary=self.env._("Complaint overdue: answer it now"),
                note=self.env._(
                    "Ticket %(ticket)s was due for a response on %(deadline)s "
                    "(%(tz)s).",
                    ticket=self.display_name,
                    deadline=format_datetime(
                        self.env,
                        self.response_deadline,
                        tz=leader.tz or "UTC",
                        lang_code=leader.lang,
                    ),
                    tz=leader.tz or "UTC",
                ),
                user_id=leader.id,
            )
        self.escalated_date = fields.Datetime.now()
        self.message_post(
            body=self.env._(
                "Response deadline missed: escalated to %(leader)s.",
                leader=leader.name or self.env._("nobody (no team leader)"),
            )
        )

    # ------------------------------------------------------------------
    # Remedies
    # ------------------------------------------------------------------
    def _check_remedy(self, needs_issue=False):
        self.ensure_one()
        if not self.subscription_id:
            raise UserError(
                self.env._(
                    "Ticket %(ticket)s has no Subscription: set it before applying "
                    "a remedy.",
                    ticket=self.display_name,
                )
            )
        if needs_issue and not self.issue_id:
            raise UserError(
                self.env._(
                    "Ticket %(ticket)s has no Issue: set the issue to send again.",
                    ticket=self.display_name,
                )
            )
        if needs_issue and self.issue_id.publication_id != self.publication_id:
            raise UserError(
                self.env._(
                    "Issue %(issue)s is not an issue of %(publication)s, the "
                    "publication of subscription %(subscription)s.",
                    issue=self.issue_id.name,
                    publication=self.publication_id.name,
                    subscription=self.subscription_id.name,
                )
            )

    @api.model
    def _remedy_domain(self, subscription, issue):
        """Tickets that made good issue for subscription: a copy sent again or
        a free extension. One remedy per subscription and issue."""
        sent_again = Domain(
            "replacement_ids",
            "any",
            [("subscription_id", "=", subscription.id), ("issue_id", "=", issue.id)],
        )
        extended = Domain(
            [
                ("subscription_id", "=", subscription.id),
                ("issue_id", "=", issue.id),
                ("extended_date", "!=", False),
            ]
        )
        return sent_again | extended

    def _check_no_remedy_yet(self):
        """Refuse a second remedy of the ticket's subscription and issue, from
        this ticket or another; a ticket without an issue is remedied once."""
        self.ensure_one()
        if self.issue_id:
            remedied = self.sudo().search(
                self._remedy_domain(self.subscription_id, self.issue_id),
                order="id",
                limit=1,
            )
        else:
            remedied = self if self.extended_date else self.browse()
        if remedied:
            raise UserError(
                self.env._(
                    "Subscription %(subscription)s already had its remedy for issue "
                    "%(issue)s on ticket %(ticket)s: a missing or damaged copy is "
                    "made good once.",
                    subscription=self.subscription_id.name,
                    issue=self.issue_id.name or "-",
                    ticket=remedied.display_name,
                )
            )

    def _join_report(self, category, description, partner):
        """The reader reports the ticket's copy again: their words on its
        chatter, the reader following it, one more report; no second remedy."""
        self.ensure_one()
        self.report_count += 1
        self.message_subscribe(partner_ids=partner.ids)
        self.message_post(
            body=self.env._(
                "%(category)s reported again: %(description)s",
                category=category.name,
                description=description or "-",
            ),
            author_id=partner.id,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )

    def _remedy_done(self, body):
        """Record a remedy on the ticket's chatter; it answers the complaint."""
        self.ensure_one()
        self.message_post(body=body)
        self._mark_responded()

    def action_resend_issue(self):
        """Ask how many copies of the issue to send again."""
        self._check_remedy(needs_issue=True)
        self._check_no_remedy_yet()
        return self._open_remedy_wizard("resend", needs_issue=True)

    def _resend_issue(self, quantity):
        """Send the issue again, as a replacement copy in its distribution."""
        self.ensure_one()
        self._check_remedy(needs_issue=True)
        self._check_no_remedy_yet()
        subscription = self.subscription_id
        replacement = self.env["publication.issue.replacement"].create(
            {
                "issue_id": self.issue_id.id,
                "subscription_id": subscription.id,
                "ticket_id": self.id,
                "quantity": quantity,
            }
        )
        values = {
            "issue": self.issue_id.name,
            "copies": replacement.quantity,
            "route": replacement.route_id.name or "-",
            "ticket": self.number,
        }
        if replacement.quantity == 1:
            body = self.env._(
                "Issue %(issue)s sent again (1 copy, route %(route)s) for ticket "
                "%(ticket)s.",
                **values,
            )
        else:
            body = self.env._(
                "Issue %(issue)s sent again (%(copies)s copies, route %(route)s) "
                "for ticket %(ticket)s.",
                **values,
            )
        subscription.message_post(body=body)
        self._remedy_done(body)
        return replacement

    def action_extend_subscription(self):
        """Extend the subscription by one issue, free of charge."""
        for ticket in self:
            ticket._check_remedy()
            ticket._check_no_remedy_yet()
            new_end = ticket.subscription_id._extend_by_issues(
                1, self.env._("ticket %(ticket)s", ticket=ticket.number)
            )
            ticket.extended_date = fields.Date.context_today(ticket)
            ticket._remedy_done(
                self.env._(
                    "Subscription %(subscription)s extended by one issue: it now "
                    "ends on %(end)s.",
                    subscription=ticket.subscription_id.name,
                    end=ticket.subscription_id.payer_id._publication_format_date(
                        new_end
                    ),
                )
            )
        return True

    def _open_remedy_wizard(self, remedy, needs_issue=False):
        self.ensure_one()
        self._check_remedy(needs_issue=needs_issue)
        wizard = self.env["publication.ticket.remedy.wizard"].create(
            {"ticket_id": self.id, "remedy": remedy}
        )
        return {
            "type": "ir.actions.act_window",
            "name": dict(wizard._fields["remedy"].selection)[remedy],
            "res_model": wizard._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_change_address(self):
        return self._open_remedy_wizard("address")

    def action_pause_subscription(self):
        return self._open_remedy_wizard("pause")

    def action_cancel_subscription(self):
        return self._open_remedy_wizard("cancel")
