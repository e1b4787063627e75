from . import publication_issue_labels
from . import publication_issue_route_sheet
from . import publication_issue_counts_xlsx
from . import publication_postal_mailing_labels
from . import publication_letter_report
