import logging

from odoo import fields, models
from odoo.tools import html2plaintext, plaintext2html

from ..utils.register_rows import RegisterChecker, unpaid_share
from .publication_automation.publication_automation import CONCURRENT_UPDATE

_logger = logging.getLogger(__name__)

# partners and subscriptions of an import: no chatter, no tracking, no followers
QUIET = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
    "mail_notrack": True,
}


class PublicationRegisterImportBatch(models.Model):
    """About a thousand lines of a register import, imported in one
    transaction by the batch runner of the scheduled actions; a line that
    fails is rejected alone (the others of its batch are imported)."""

    _name = "publication.register.import.batch"
    _description = "Register Import Batch"
    _order = "id"

    import_id = fields.Many2one(
        "publication.register.import", required=True, ondelete="cascade", index=True
    )
    rows = fields.Json(required=True)
    state = fields.Selection(
        [("todo", "To Import"), ("done", "Imported"), ("failed", "Failed")],
        default="todo",
        required=True,
        index=True,
    )
    created_count = fields.Integer()
    updated_count = fields.Integer()
    unchanged_count = fields.Integer()
    rejected_count = fields.Integer()
    problems = fields.Json()
    automation_error = fields.Text()

    # the batch runner's failure hooks (see publication.automation.mixin)
    def _automation_error_records(self):
        return self

    def _record_automation_error(self, step, error):
        self.write({"state": "failed", "automation_error": f"{step}: {error}"})

    def _clear_automation_error(self):
        return True

    def _import_rows(self):
        for batch in self:
            batch._import()
            batch.import_id._finish_if_done()

    def _import(self):
        """Check the rows again (the database may have changed since the dry
        run) and import the valid ones: all at once, or line by line when that
        fails."""
        env = self.with_company(self.import_id.company_id).env
        checker = RegisterChecker(env, self.rows)
        clean, problems = checker.check(self.rows)
        counts = dict.fromkeys(("created", "updated", "unchanged"), 0)
        known = dict(checker.partners)
        try:
            with env.cr.savepoint():
                self._import_clean(checker, clean, counts)
        except CONCURRENT_UPDATE:
            raise
        except Exception:  # noqa: BLE001 - each line alone below
            _logger.info("register import: batch %s failed, line by line", self.id)
            counts = dict.fromkeys(counts, 0)
            checker.partners = known
            for row in clean:
                known = dict(checker.partners)
                try:
                    with env.cr.savepoint():
                        self._import_clean(checker, [row], counts)
                except CONCURRENT_UPDATE:
                    raise
                except Exception as error:  # noqa: BLE001 - the line is rejected
                    checker.partners = known
                    problems.append(
                        (row["line"], "reference", row["reference"], str(error))
                    )
        self.write(
            {
                "state": "done",
                "problems": problems,
                "rejected_count": len({p[0] for p in problems}),
                **{f"{key}_count": value for key, value in counts.items()},
            }
        )

    def _import_clean(self, checker, clean, counts):
        created = self._create_partners(checker, clean)
        for row in clean:
            row["recipient_id"] = checker.find_partner(row["recipient_keys"], created)
            row["payer_id"] = (
                checker.find_partner(row["payer_keys"], created) or row["recipient_id"]
            )
        new = [row for row in clean if not row["existing_id"]]
        self._create_subscriptions(checker, new)
        counts["created"] += len(new)
        new_ids = set(created.values())
        changed = self._update_partners(
            [row for row in clean if row["recipient_id"] not in new_ids]
        )
        for row in clean:
            if row["existing_id"]:
                key = "updated" if self._update_subscription(checker, row) else None
                key = key or (
                    "updated" if row["recipient_id"] in changed else "unchanged"
                )
                counts[key] += 1

    # ------------------------------------------------------------------
    # Partners
    # ------------------------------------------------------------------
    def _create_partners(self, checker, clean):
        """The recipients and payers no key finds, created once each, in one
        call: key -> new partner id."""
        pending, vals_list = {}, []
        sources = self._sources(clean)
        for row in clean:
            for keys, vals in (
                (row["recipient_keys"], self._recipient_vals(row, sources)),
                (row["payer_keys"], self._payer_vals(row)),
            ):
                if not keys or checker.find_partner(keys):
                    continue
                index = next((pending[k] for k in keys if k in pending), None)
                if index is None:
                    index = len(vals_list)
                    vals_list.append(vals)
                for key in keys:
                    pending.setdefault(key, index)
        # the import is for Publication Managers only (checked when started):
        # they need no contact rights for the partners of the register
        Partner = self.env["res.partner"].sudo().with_context(**QUIET)
        partners = Partner.create(vals_list)
        created = {key: partners[index].id for key, index in pending.items()}
        checker.partners.update(created)
        return created

    def _sources(self, clean):
        """Acquisition sources by name, created when missing."""
        names = {row["row"].get("source") for row in clean} - {None, ""}
        Source = self.env["utm.source"].sudo()
        sources = {s.name: s.id for s in Source.search([("name", "in", list(names))])}
        missing = sorted(names - set(sources))
        for source in Source.create([{"name": name} for name in missing]):
            sources[source.name] = source.id
        return sources

    def _recipient_vals(self, row, sources=None):
        raw = row["row"]
        vals = {
            "name": raw["subscriber"],
            "ref": row["reference"],
            "street": raw.get("street") or False,
            "zip": raw.get("zip") or False,
            "city": raw.get("city") or False,
            "country_id": row["country_id"] or False,
            "email": raw.get("email") or False,
            "phone": raw.get("phone") or False,
        }
        if row["lang"]:
            vals["lang"] = row["lang"]
        if sources is not None and raw.get("source"):
            vals["acquisition_source_id"] = sources[raw["source"]]
        return vals

    def _payer_vals(self, row):
        raw = row["row"]
        return {
            "name": raw.get("payer") or raw.get("payer_reference"),
            "ref": raw.get("payer_reference") or False,
            "email": raw.get("payer_email") or False,
            "zip": raw.get("payer_zip") or False,
            "is_company": row["origin"] == "sponsored",
        }

    def _update_partners(self, rows):
        """Contact details of the recipients found that a corrected file
        changes; returns the ids of the partners written."""
        partners = self.env["res.partner"].browse({row["recipient_id"] for row in rows})
        partners.fetch(
            ["street", "zip", "city", "country_id", "email", "phone", "lang"]
        )
        changed = set()
        for row in rows:
            partner = partners.browse(row["recipient_id"])
            vals = self._recipient_vals(row)
            vals.pop("name")
            vals.pop("ref")
            diff = {
                name: value
                for name, value in vals.items()
                if partner._fields[name].convert_to_write(partner[name], partner)
                != value
            }
            if diff:
                partner.sudo().with_context(**QUIET).write(diff)
                changed.add(partner.id)
        return changed

    # ------------------------------------------------------------------
    # Subscriptions
    # ------------------------------------------------------------------
    def _create_subscriptions(self, checker, rows):
        """Running subscriptions as they are: confirmed, their current period
        paid until Paid Until without invoice, reminders past counted as sent."""
        if not rows:
            return
        Subscription = self.env["publication.subscription"].with_context(**QUIET)
        names = self._next_names(len(rows))
        subscriptions = Subscription.create(
            [
                self._subscription_vals(row) | {"name": name}
                for row, name in zip(rows, names, strict=True)
            ]
        )
        by_days = {}
        for subscription, row in zip(subscriptions, rows, strict=True):
            days = checker.reminder_days_sent(row["publication_id"], row["end"])
            by_days.setdefault(days, []).append(subscription.id)
        for days, ids in by_days.items():
            Subscription.browse(ids)._write_state(
                {"state": "active", "reminder_days_sent": days}
            )
        self._create_current_periods(subscriptions, rows)

    def _next_names(self, count):
        """count references of the subscriptions' sequence, found once (what
        next_by_code would do for each)."""
        sequence = (
            self.env["ir.sequence"]
            .sudo()
            .search(
                [
                    ("code", "=", "publication.subscription"),
                    ("company_id", "in", [self.env.company.id, False]),
                ],
                order="company_id",
                limit=1,
            )
        )
        return [sequence._next() for _n in range(count)] if sequence else ["/"] * count

    def _subscription_vals(self, row):
        notes = row["row"].get("notes")
        return {
            "recipient_id": row["recipient_id"],
            "payer_id": row["payer_id"],
            "delivery_address_id": row["recipient_id"],
            "publication_id": row["publication_id"],
            "plan_id": row["plan_id"],
            "quantity": row["copies"],
            "origin": row["origin"],
            "date_start": row["start"],
            "date_end": row["end"],
            "route_id": row["route_id"] or False,
            "import_ref": row["reference"],
            "note": plaintext2html(notes) if notes else False,
        }

    def _create_current_periods(self, subscriptions, rows):
        """The current term of each new subscription: paid before the import,
        or with Invoice the Unpaid Rest its unpaid share (after Paid Until)
        invoiced to the payer."""
        opening = self.import_id.opening_invoice
        vals_list, shares = [], []
        for subscription, row in zip(subscriptions, rows, strict=True):
            start, _unpaid_from, share = unpaid_share(subscription.plan_id, row)
            amount = 0.0 if subscription._is_free() else subscription.amount
            invoice = opening and amount and share > 0
            vals_list.append(
                {
                    "subscription_id": subscription.id,
                    "date_start": start,
                    "date_end": row["end"],
                    "quantity": subscription.quantity,
                    "amount": amount,
                    "prepaid": not invoice,
                }
            )
            shares.append(share if invoice else 0)
        periods = subscriptions._create_periods(vals_list)
        to_invoice = {
            period: share
            for period, share in zip(periods, shares, strict=True)
            if share
        }
        if to_invoice:
            periods.browse([p.id for p in to_invoice])._create_invoices(
                {
                    period: self._opening_invoice_lines(period, share)
                    for period, share in to_invoice.items()
                }
            )

    def _opening_invoice_lines(self, period, share):
        """The invoice lines of the unpaid share (a fraction) of an imported
        period."""
        lines = period._prepare_invoice_lines()
        for vals in lines:
            vals["price_unit"] = period.company_id.currency_id.round(
                vals["price_unit"] * share
            )
            vals["name"] = self.env._(
                "%(name)s (unpaid rest from the former register)", name=vals["name"]
            )
        return lines

    def _update_subscription(self, checker, row):
        """A corrected line: copies, end, route and notes; True when changed."""
        subscription = self.env["publication.subscription"].browse(row["existing_id"])
        if subscription.state not in ("waiting", "active", "suspended"):
            return False
        changed = False
        if subscription.quantity != row["copies"]:
            subscription.write({"quantity": row["copies"]})
            changed = True
        if subscription.date_end != row["end"]:
            subscription._move_end(row["end"])
            subscription._write_state(
                {
                    "reminder_days_sent": checker.reminder_days_sent(
                        row["publication_id"], row["end"]
                    )
                }
            )
            changed = True
        route_id = row["route_id"] or False
        if subscription.route_id.id != route_id:
            subscription.write({"route_id": route_id})
            changed = True
        notes = row["row"].get("notes") or ""
        if html2plaintext(subscription.note or "").strip() != notes.strip():
            subscription.write({"note": plaintext2html(notes) if notes else False})
            changed = True
        return changed
