from . import publication_publication
from . import analytics
from . import portal
from . import direct_debit
from . import page_plan
