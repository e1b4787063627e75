from odoo import api, models

from ..utils.materialized_view import ratio_of_sums


class PublicationRatioReport(models.AbstractModel):
    """A report whose rates are ratios of sums: over a group, 100 × the sum of
    the numerator over the sum of the denominator, never an average of
    rates. A report names its rates in _ratio_measures."""

    _name = "publication.ratio.report"
    _description = "Report with Rates"
    _ratio_measures = {}  # field -> (numerator field, denominator field)

    @api.model
    def _read_group_select(self, aggregate_spec, query):
        ratio = ratio_of_sums(self, aggregate_spec, query, self._ratio_measures)
        if ratio is None:
            return super()._read_group_select(aggregate_spec, query)
        return ratio
