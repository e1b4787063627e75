# SQL views and materialized views over the models' tables (created after them)
from . import publication_issue_distribution
from . import publication_complaint_report
from . import publication_subscription_month
from . import publication_analytics_month
from . import publication_cohort_report
from . import publication_cohort_total
from . import publication_customer_profitability
from . import publication_campaign_report
from . import publication_renewal_report
from . import publication_retention_report
from . import publication_entitlement
from . import publication_call_report

# the documents
from . import publication_issue_labels
from . import publication_issue_route_sheet
from . import publication_issue_counts_xlsx
from . import publication_postal_mailing_labels
from . import publication_letter_report
from . import publication_issue_flat_plan
from . import publication_circulation_audit_report
from . import publication_circulation_audit_xlsx
