"""Reading and checking the lines of a register file (CSV or XLSX), set-based:
what a check needs from the database is read for all lines in a few queries."""

import csv
import io
import math
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta

from odoo.tools import email_normalize
from odoo.tools.misc import format_amount, format_date

from ..models.publication_route import normalize_zip
from ..models.publication_subscription.publication_subscription import (
    FREE_ORIGINS,
    OPEN_STATES,
    PAID_BY_OTHERS,
)
from .input_bounds import FIRST_DATE, LAST_DATE, MAX_COPIES
from .spreadsheet import csv_bytes, unquote_cell

# (column, required): the template's header, in its order
COLUMNS = (
    ("reference", True),
    ("subscriber", True),
    ("street", False),
    ("zip", False),
    ("city", False),
    ("country", False),
    ("email", False),
    ("phone", False),
    ("language", False),
    ("payer_reference", False),
    ("payer", False),
    ("payer_email", False),
    ("payer_zip", False),
    ("publication", True),
    ("offer", True),
    ("copies", False),
    ("start", True),
    ("end", True),
    ("paid_until", False),
    ("origin", False),
    ("route", False),
    ("source", False),
    ("notes", False),
)
COLUMN_NAMES = [name for name, _required in COLUMNS]
ORIGINS = ("new", "renewal", "gift", "sponsored", "member", "trial")
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y")
# fields of a partner that a corrected file updates
PARTNER_FIELDS = ("street", "zip", "city", "country_id", "email", "phone", "lang")


def column_letter(name):
    index = COLUMN_NAMES.index(name) if name in COLUMN_NAMES else 0
    return chr(ord("A") + index)


class UnreadableFile(Exception):
    """The file is no CSV or XLSX file: its kind and the reader's error."""


def read_file(content, filename):
    """The header and the data rows of a CSV or XLSX file: a list of dicts
    (column: value, "line": line number in the file, the header being 1).
    Raises UnreadableFile when the reader fails on the content."""
    kind = "XLSX" if (filename or "").lower().endswith(".xlsx") else "CSV"
    try:
        table = _read_xlsx(content) if kind == "XLSX" else _read_csv(content)
    except Exception as error:  # any error of a reader on foreign bytes
        raise UnreadableFile(kind, error) from error
    if not table:
        return [], []
    header = [str(cell or "").strip().lower().replace(" ", "_") for cell in table[0]]
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        if not any(cell not in (None, "") for cell in cells):
            continue
        row = {"line": number}
        for name, cell in zip(header, cells, strict=False):
            row[name] = unquote_cell(cell.strip()) if isinstance(cell, str) else cell
        rows.append(row)
    return header, rows


def _read_csv(content):
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("latin-1")
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def _read_xlsx(content):
    import openpyxl  # only for XLSX files

    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    table = [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    book.close()
    return table


def write_csv(rows, extra=()):
    """CSV of rows with the template's columns (and the extra ones)."""
    columns = COLUMN_NAMES + list(extra)
    return csv_bytes(
        columns, [[_text(row.get(name)) for name in columns] for row in rows]
    )


def _text(value):
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


def term_start(plan, end):
    """First day of the current term of plan ending on end."""
    if plan.term_unit == "months":
        return end + timedelta(days=1) - relativedelta(months=plan.term_length)
    days = plan.term_length * 365 // plan.publication_id.issues_per_year
    return end - timedelta(days=max(days, 1) - 1)


def unpaid_share(plan, clean):
    """(first day of the current term, first day unpaid, fraction of the
    term unpaid) of a clean row: unpaid after Paid Until (none when empty)."""
    start = max(clean["start"], term_start(plan, clean["end"]))
    paid_until = clean["paid_until"] or clean["end"]
    unpaid_from = max(paid_until, start - timedelta(days=1)) + timedelta(days=1)
    unpaid = (clean["end"] - unpaid_from).days + 1
    return start, unpaid_from, max(unpaid, 0) / ((clean["end"] - start).days + 1)


def person_keys(ref, email, name, zip_code):
    """Keys that find a partner, in the order they are tried: old reference,
    e-mail, name and postal code."""
    keys = []
    if ref:
        keys.append(("ref", str(ref)))
    if email:
        keys.append(("email", email.lower()))
    if name:
        keys.append(("name", name.lower(), normalize_zip(zip_code)))
    return keys


class RegisterChecker:
    """Checks rows against the database of env's company: known publications,
    offers, routes, countries and languages, partners found by their keys,
    subscriptions imported before by their old reference. Everything is read
    once for all rows; check() then works on dicts only."""

    def __init__(self, env, rows):
        self.env = env
        self.company = env.company
        self.today = self.company._publication_today()
        self._read_catalogue()
        self._read_partners(rows)
        self._read_subscriptions(rows)

    def _read_catalogue(self):
        env = self.env
        publications = env["publication.publication"].search(
            [("company_id", "=", self.company.id)]
        )
        self.publications = {}
        for publication in publications:
            self.publications[publication.code.lower()] = publication
            self.publications.setdefault(publication.name.lower(), publication)
        self.plans = {
            (plan.publication_id.id, plan.name.lower()): plan
            for plan in env["publication.subscription.plan"].search(
                [("publication_id", "in", publications.ids)]
            )
        }
        routes = env["publication.route"].search([("company_id", "=", self.company.id)])
        self.routes = {route.code.lower(): route for route in routes}
        self.zip_routes = routes.filtered("zip_from")
        self.digital_route = routes.filtered(lambda r: r.delivery_method == "digital")[
            :1
        ]
        self.countries = {}
        for country in env["res.country"].search([]):
            self.countries[country.code.lower()] = country.id
            self.countries[country.name.lower()] = country.id
        self.langs = {
            code.lower(): code for code, _name in env["res.lang"].get_installed()
        }
        self.steps = {}
        for step in env["publication.reminder.step"].search(
            [("kind", "=", "renewal"), ("publication_id", "in", publications.ids)]
        ):
            self.steps.setdefault(step.publication_id.id, []).append(step.days)

    def _read_partners(self, rows):
        """Partners of the company (or shared) that a row's keys find: the
        first by id for each key, in one query."""
        refs, emails, names = set(), set(), set()
        for row in rows:
            for prefix in ("", "payer_"):
                refs.add(str(row.get(prefix + "reference") or ""))
                emails.add(str(row.get(prefix + "email") or "").lower())
            names.add(str(row.get("subscriber") or "").lower())
            names.add(str(row.get("payer") or "").lower())
        self.env["res.partner"].flush_model(["ref", "email", "name", "zip"])
        self.env.cr.execute(
            """SELECT id, ref, lower(email), lower(name), zip FROM res_partner
                WHERE active AND (company_id IS NULL OR company_id = %s)
                  AND (ref = ANY(%s) OR lower(email) = ANY(%s)
                       OR lower(name) = ANY(%s))
             ORDER BY id""",
            (self.company.id, list(refs - {""}), list(emails - {""}), list(names)),
        )
        self.partners = {}
        for partner_id, ref, email, name, zip_code in self.env.cr.fetchall():
            for key in person_keys(ref, email, name, zip_code):
                self.partners.setdefault(key, partner_id)

    def _read_subscriptions(self, rows):
        """Subscriptions imported before (by reference and publication) and the
        open subscriptions of the partners found."""
        Subscription = self.env["publication.subscription"].with_context(
            active_test=False
        )
        refs = list({str(row.get("reference") or "") for row in rows} - {""})
        imported = Subscription.search_fetch(
            [("import_ref", "in", refs), ("company_id", "=", self.company.id)],
            ["import_ref", "publication_id", "state"],
            order="id",
        )
        self.imported = {}
        for subscription in imported:
            key = (subscription.import_ref, subscription.publication_id.id)
            if key not in self.imported or subscription.state in OPEN_STATES:
                self.imported[key] = subscription
        open_ones = Subscription.search_fetch(
            [
                ("recipient_id", "in", list(set(self.partners.values()))),
                ("state", "in", OPEN_STATES),
            ],
            ["recipient_id", "publication_id", "delivery_address_id", "import_ref"],
        )
        self.open = {
            (s.recipient_id.id, s.publication_id.id): s
            for s in open_ones
            if s.delivery_address_id == s.recipient_id
        }

    # ------------------------------------------------------------------
    def find_partner(self, keys, created=None):
        for key in keys:
            found = (created or {}).get(key) or self.partners.get(key)
            if found:
                return found
        return None

    def route_for(self, plan, zip_code, country_id):
        """Route of a new subscription's address: the digital route for a
        digital offer, else the route whose postal codes hold zip_code."""
        if plan.channel == "digital":
            return self.digital_route
        code = normalize_zip(zip_code)
        for route in self.zip_routes:
            low, high = normalize_zip(route.zip_from), normalize_zip(route.zip_to)
            if (
                len(code) == len(low)
                and low <= code <= high
                and (not country_id or route.country_id.id in (False, country_id))
            ):
                return route
        return self.env["publication.route"]

    def reminder_days_sent(self, publication_id, date_end):
        """The reminders whose day is past count as sent: the automation
        goes on with the next one due."""
        days_left = (date_end - self.today).days
        past = [d for d in self.steps.get(publication_id, ()) if d > days_left]
        return min(past) if past else 0

    # ------------------------------------------------------------------
    def check(self, rows):
        """(clean rows, problems): a clean row has the ids and parsed values;
        a problem is (line, column, value, reason)."""
        problems, clean_rows, seen = [], [], {}
        for row in rows:
            row_problems = []
            clean = self._check_row(row, row_problems)
            if not row_problems:
                key = (tuple(clean["recipient_keys"]), clean["publication_id"])
                if key in seen:
                    row_problems.append(
                        self._problem(
                            row,
                            "reference",
                            self.env._(
                                "duplicate open subscription: line %(line)s "
                                "subscribes the same person to this publication",
                                line=seen[key],
                            ),
                        )
                    )
                seen.setdefault(key, row["line"])
            problems += row_problems
            if not row_problems:
                clean_rows.append(clean)
        return clean_rows, problems

    def payment_warnings(self, clean_rows, opening_invoice):
        """Warnings (line, column, value, reason) of the new subscriptions
        paid until before the end of their term: the register says the rest
        is owed. It is taken as paid unless opening_invoice (then it is
        invoiced to the payer); unpaid time before the current term is not
        taken over. Free subscriptions have none."""
        Plan = self.env["publication.subscription.plan"]
        currency = self.company.currency_id
        warnings = []
        for clean in clean_rows:
            plan = Plan.browse(clean["plan_id"])
            if (
                clean["existing_id"]
                or not clean["paid_until"]
                or clean["paid_until"] >= clean["end"]
                or clean["origin"] in FREE_ORIGINS
                or plan.is_trial
                or not plan.price
            ):
                continue
            start, unpaid_from, share = unpaid_share(plan, clean)
            if not opening_invoice:
                reason = self.env._(
                    "before the end of the term (%(end)s); the unpaid rest, "
                    "%(from)s to %(end)s (%(amount)s), is taken as paid. Tick "
                    "Invoice the Unpaid Rest to invoice it to the payer.",
                    end=format_date(self.env, clean["end"]),
                    amount=format_amount(
                        self.env,
                        currency.round(plan.price * clean["copies"] * share),
                        currency,
                    ),
                    **{"from": format_date(self.env, unpaid_from)},
                )
            elif clean["paid_until"] < start - timedelta(days=1):
                reason = self.env._(
                    "before the current term (from %(start)s); only the current "
                    "term is invoiced to the payer, not the unpaid time before it.",
                    start=format_date(self.env, start),
                )
            else:
                continue
            warnings.append(self._problem(clean["row"], "paid_until", reason))
        return warnings

    def _problem(self, row, column, reason):
        return (row["line"], column, _text(row.get(column)), reason)

    def _check_row(self, row, problems):
        def bad(column, reason):
            problems.append(self._problem(row, column, reason))

        for name, required in COLUMNS:
            if required and row.get(name) in (None, ""):
                bad(name, self.env._("missing"))
        clean = {"line": row["line"], "row": row, "reference": _text(row["reference"])}
        publication, plan = self._check_offer(row, bad)
        clean["copies"] = self._number(row, "copies", bad)
        for name in ("start", "end", "paid_until"):
            clean[name] = self._date(row, name, bad)
        if clean["start"] and clean["end"] and clean["end"] < clean["start"]:
            bad("end", self.env._("end before start"))
        codes = self._check_codes(row, plan, bad)
        if problems:
            return clean
        clean.update(codes, publication_id=publication.id, plan_id=plan.id)
        clean["recipient_keys"] = person_keys(
            row["reference"], row.get("email"), row["subscriber"], row.get("zip")
        )
        clean["payer_keys"] = (
            person_keys(
                row.get("payer_reference"),
                row.get("payer_email"),
                row.get("payer"),
                row.get("payer_zip"),
            )
            if row.get("payer") or row.get("payer_reference")
            else []
        )
        existing = self.imported.get((clean["reference"], publication.id))
        clean["existing_id"] = existing.id if existing else False
        if existing:
            self._check_update(existing, plan, codes["origin"], clean, bad)
        else:
            self._check_open(row, clean, publication, bad)
        return clean

    def _check_offer(self, row, bad):
        publication = self.publications.get(_text(row.get("publication")).lower())
        if row.get("publication") and not publication:
            bad("publication", self.env._("unknown publication"))
        plan = publication and self.plans.get(
            (publication.id, _text(row.get("offer")).lower())
        )
        if publication and row.get("offer") and not plan:
            bad("offer", self.env._("unknown offer of %(pub)s", pub=publication.name))
        return publication, plan

    def _check_codes(self, row, plan, bad):
        """Origin, e-mails, language, country, route, payer and postal code."""
        origin = _text(row.get("origin")).lower() or "new"
        if origin not in ORIGINS:
            bad(
                "origin",
                self.env._("unknown origin (%(known)s)", known=", ".join(ORIGINS)),
            )
        for name in ("email", "payer_email"):
            if row.get(name) and not email_normalize(_text(row[name])):
                bad(name, self.env._("malformed e-mail"))
        lang = _text(row.get("language")).lower()
        if lang and lang not in self.langs:
            bad("language", self.env._("unknown or not installed language"))
        country = _text(row.get("country")).lower()
        if country and country not in self.countries:
            bad("country", self.env._("unknown country"))
        route_code = _text(row.get("route")).lower()
        if route_code and route_code not in self.routes:
            bad("route", self.env._("unknown route code"))
        if origin in PAID_BY_OTHERS and not (
            row.get("payer") or row.get("payer_reference")
        ):
            bad(
                "payer",
                self.env._("payer missing for a %(kind)s subscription", kind=origin),
            )
        if plan and plan.channel != "digital" and not row.get("zip"):
            bad("zip", self.env._("no postal code for a print route"))
        if not plan:
            return {}
        country_id = self.countries.get(country)
        route = (
            self.routes.get(route_code, self.env["publication.route"])
            if route_code
            else self.route_for(plan, row.get("zip"), country_id)
        )
        return {
            "origin": origin,
            "lang": self.langs.get(lang),
            "country_id": country_id,
            "route_id": route.id,
        }

    def _check_open(self, row, clean, publication, bad):
        """A new subscription of a person who already receives the publication."""
        recipient_id = self.find_partner(clean["recipient_keys"])
        other = self.open.get((recipient_id, publication.id))
        if other:
            bad(
                "reference",
                self.env._(
                    "duplicate open subscription: %(name)s already receives "
                    "%(pub)s (%(sub)s)",
                    name=row["subscriber"],
                    pub=publication.name,
                    sub=other.name,
                ),
            )

    def _check_update(self, existing, plan, origin, clean, bad):
        """A corrected line may change copies, end, route, notes and contact
        details; not what a confirmed subscription keeps (offer, origin, start)."""
        if existing.state not in OPEN_STATES:
            return
        for column, old, new in (
            ("offer", existing.plan_id, plan),
            ("origin", existing.origin, origin),
            ("start", existing.date_start, clean["start"]),
        ):
            if old != new:
                bad(
                    column,
                    self.env._(
                        "differs from the imported subscription %(sub)s, which "
                        "keeps it; cancel that one to change it",
                        sub=existing.name,
                    ),
                )

    def _number(self, row, name, bad):
        """Copies: a whole number from 1 to MAX_COPIES (not inf nor nan)."""
        value = row.get(name)
        if value in (None, ""):
            return 1
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = 0.0
        if not (
            math.isfinite(number) and number.is_integer() and 1 <= number <= MAX_COPIES
        ):
            bad(
                name,
                self.env._(
                    "bad number (a whole number from 1 to %(max)s)", max=MAX_COPIES
                ),
            )
            return 1
        return int(number)

    def _date(self, row, name, bad):
        """A date from FIRST_DATE to LAST_DATE, or None (and a problem)."""
        value = _parse_date(row.get(name))
        if value is False:
            bad(name, self.env._("bad date (YYYY-MM-DD or DD.MM.YYYY)"))
        elif value and not FIRST_DATE <= value <= LAST_DATE:
            bad(
                name,
                self.env._(
                    "date out of range (%(first)s to %(last)s)",
                    first=FIRST_DATE,
                    last=LAST_DATE,
                ),
            )
        else:
            return value
        return None


def _parse_date(value):
    """The date of a cell: None when empty, False when not a date."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(str(value), fmt).date()
        except ValueError:
            continue
    return False
