from . import publication_automation
from . import queue
