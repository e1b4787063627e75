from odoo import api, models


class ReportPublicationLetters(models.AbstractModel):
    """The letters of a letter run: all of them, or those of data's
    letter_ids (a chunk of a large run), in that order."""

    _name = "report.publication_crm.report_publication_letters"
    _description = "Paper Letters"

    @api.model
    def _get_report_values(self, docids, data=None):
        runs = self.env["publication.letter.run"].browse(docids)
        letter_ids = (data or {}).get("letter_ids")
        if letter_ids:
            letters = self.env["publication.letter"].browse(letter_ids)
        else:
            letters = runs.letter_ids.sorted(lambda x: (x.sort_key, x.id))
        letters.fetch(["invoice_id", "partner_id", "kind", "period_id"])
        return {
            "doc_ids": runs.ids,
            "doc_model": "publication.letter.run",
            "docs": runs,
            "letters": letters,
            "today": runs[:1].date,
        }
