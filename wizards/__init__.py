from . import publication_subscription_gift_wizard_line
from . import publication_subscription_gift_wizard
from . import publication_subscription_cancel_wizard
from . import publication_subscription_pause_wizard
from . import publication_ticket_remedy_wizard
from . import publication_direct_debit_wizard
from . import publication_circulation_audit
from . import mail_compose_message
