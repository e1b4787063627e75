"""Data protection: a reader's lines of the register imports anonymised when
the reader is (see models/res_partner_privacy.py)."""

import base64
import copy
import os

from odoo import api, models

from ..utils.register_rows import person_keys, write_csv

# (columns finding the person: reference, e-mail, name, postal code), columns
# emptied; the name becomes the anonymised name, the postal code stays
SIDES = (
    (
        ("reference", "email", "subscriber", "zip"),
        ("street", "city", "email", "phone", "notes"),
    ),
    (("payer_reference", "payer_email", "payer", "payer_zip"), ("payer_email",)),
)
# states of an import whose file was read without problem
READ_STATES = ("errors", "checked", "queued", "done")


class PublicationRegisterImport(models.Model):
    _inherit = "publication.register.import"

    @api.model
    def _anonymize_partner_lines(self, partner, identity, anonymized_name):
        """The lines of partner as recipient or payer, found as the import
        finds partners (identity: old reference, e-mail, name and postal
        code, as they were) or by the old reference of a subscription they
        receive: in the file, the batches' rows, the problems and warnings and
        the files of rejected lines and of lines with warnings. The counts of
        the import stay."""
        received = self.env["publication.subscription"].search(
            [("recipient_id", "=", partner.id), ("import_ref", "!=", False)]
        )
        old_name, email, ref, zip_code = identity
        keys = set(person_keys(ref, email, old_name, zip_code))
        keys |= {("ref", old) for old in received.mapped("import_ref")}
        for record in self.search([("state", "in", READ_STATES)]).filtered("file"):
            rows = record._read_rows()[0]
            lines = {
                row["line"]
                for row in rows
                if _anonymize_row(row, keys, anonymized_name)
            }
            if not lines:
                continue
            for batch in record.batch_ids:
                # a copy: the cached rows changed in place would not be written
                batch_rows = copy.deepcopy(batch.rows)
                found = [
                    row
                    for row in batch_rows
                    if _anonymize_row(row, keys, anonymized_name)
                ]
                if found:
                    batch.rows = batch_rows
                batch.problems = _without_values(batch.problems, lines)
            record.write(
                {
                    "problems": _without_values(record.problems, lines),
                    "warnings": _without_values(record.warnings, lines),
                    "file": base64.b64encode(write_csv(rows)),
                    "file_name": _csv_name(record.file_name),
                }
            )
            if record.rejected_file or record.warning_file:
                record._write_files(rows)


def _anonymize_row(row, keys, anonymized_name):
    """Anonymise the row (a dict) where keys find its recipient or payer;
    True when they do."""
    found = False
    for columns, erased in SIDES:
        ref, email, name, zip_code = (_cell(row.get(column)) for column in columns)
        if keys.isdisjoint(person_keys(ref, email, name, zip_code)):
            continue
        row[columns[2]] = anonymized_name
        row.update(dict.fromkeys(erased, ""))
        found = True
    return found


def _csv_name(file_name):
    return f"{os.path.splitext(file_name or 'register')[0]}.csv"


def _cell(value):
    return "" if value is None else str(value)


def _without_values(problems, lines):
    """Problems (line, column, value, reason) without the values of lines."""
    return [
        [line, column, "" if line in lines else value, reason]
        for line, column, value, reason in problems or []
    ]
