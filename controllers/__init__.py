from . import helpdesk_portal
from . import portal
from . import privacy
from . import web
from . import saved_card
from . import direct_debit
from . import entitlement
from . import seat
