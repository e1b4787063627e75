from . import publication_automation
from . import queue
from . import direct_debit
