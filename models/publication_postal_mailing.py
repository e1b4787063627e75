import base64

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..utils.spreadsheet import csv_bytes

ADDRESS_FIELDS = ("street", "street2", "zip", "city", "country_id")


class PublicationPostalMailing(models.Model):
    """A segment sent by post: letters or address labels and a CSV for the
    print house. Its lines record who was sent what, so that responses are
    attributed to its campaign like those to an e-mail."""

    _name = "publication.postal.mailing"
    _description = "Postal Mailing"
    _inherit = ["mail.thread"]
    _order = "id desc"

    name = fields.Char(required=True)
    segment_id = fields.Many2one("publication.segment", required=True)
    campaign_id = fields.Many2one("utm.campaign", index=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    document = fields.Selection(
        [("letter", "Letters"), ("labels", "Address Labels")],
        required=True,
        default="labels",
    )
    body = fields.Html(string="Letter", help="Text of the letter.")
    state = fields.Selection(
        [("draft", "Draft"), ("sent", "Sent")],
        default="draft",
        required=True,
        tracking=True,
    )
    date_sent = fields.Date(string="Sent On", readonly=True, copy=False)
    line_ids = fields.One2many(
        "publication.postal.mailing.line", "mailing_id", string="Recipients"
    )
    line_count = fields.Integer(compute="_compute_line_count", string="Recipient Count")

    @api.depends("line_ids")
    def _compute_line_count(self):
        groups = dict(
            self.env["publication.postal.mailing.line"]._read_group(
                [("mailing_id", "in", self.ids)], ["mailing_id"], ["__count"]
            )
        )
        for mailing in self:
            mailing.line_count = groups.get(mailing, 0)

    def _check_draft(self):
        if any(m.state != "draft" for m in self):
            raise UserError(
                self.env._(
                    "Postal mailing %(name)s was sent: its recipients stay as they "
                    "were.",
                    name=self.filtered(lambda m: m.state != "draft")[0].name,
                )
            )

    def action_prepare(self):
        """Recipients of the segment, one per address, their address as today."""
        self._check_draft()
        for mailing in self:
            mailing.line_ids.unlink()
            lines, left_out = mailing._prepare_lines()
            self.env["publication.postal.mailing.line"].create(lines)
            if left_out:
                mailing._note_left_out(left_out)
        return True

    def _prepare_lines(self):
        """The recipients' lines, and the readers left out for want of an
        address."""
        self.ensure_one()
        records = self.segment_id._records()
        if records._name == "publication.subscription":
            pairs = [(s.recipient_id, s.delivery_address_id, s) for s in records]
        else:
            pairs = [(p, p, False) for p in records]
        seen = set()
        lines = []
        left_out = self.env["res.partner"]
        for partner, address, subscription in pairs:
            if not address.street and not address.city:
                left_out |= partner
                continue
            if address.id in seen:
                continue
            seen.add(address.id)
            lines.append(
                {
                    "mailing_id": self.id,
                    "partner_id": partner.id,
                    "subscription_id": subscription.id if subscription else False,
                    "name": address.name or partner.name,
                    **{f: address[f] for f in ADDRESS_FIELDS if f != "country_id"},
                    "country_id": address.country_id.id,
                }
            )
        return lines, left_out

    def _note_left_out(self, partners):
        """Say in the chatter who the mailing leaves out: no postal address."""
        names = ", ".join(partners.mapped("display_name"))
        if len(partners) == 1:
            body = self.env._(
                "1 reader of the segment has no postal address and was left out: "
                "%(names)s.",
                names=names,
            )
        else:
            body = self.env._(
                "%(count)s readers of the segment have no postal address and were "
                "left out: %(names)s.",
                count=len(partners),
                names=names,
            )
        self.message_post(body=body, subtype_xmlid="mail.mt_note")

    def action_send(self):
        """Mark the mailing sent today (the print house posts it): its
        recipients count as reached from today."""
        self._check_draft()
        for mailing in self:
            if not mailing.line_ids:
                mailing.action_prepare()
            mailing.write(
                {"state": "sent", "date_sent": mailing.company_id._publication_today()}
            )
        return True

    def action_print(self):
        self.ensure_one()
        xmlid = {
            "letter": "publication_crm.action_report_postal_mailing_letters",
            "labels": "publication_crm.action_report_postal_mailing_labels",
        }[self.document]
        return self.env.ref(xmlid).report_action(self)

    def _csv(self):
        """The recipients for a print house: one row per address."""
        self.ensure_one()
        return csv_bytes(
            ["name", "street", "street2", "zip", "city", "country", "subscription"],
            [
                [
                    line.name,
                    line.street or "",
                    line.street2 or "",
                    line.zip or "",
                    line.city or "",
                    line.country_id.code or "",
                    line.subscription_id.name or "",
                ]
                for line in self.line_ids
            ],
        )

    def action_export_csv(self):
        self.ensure_one()
        attachment = self.env["ir.attachment"].create(
            {
                "name": f"{self.name}.csv",
                "datas": base64.b64encode(self._csv()),
                "mimetype": "text/csv",
                "res_model": self._name,
                "res_id": self.id,
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "self",
        }
