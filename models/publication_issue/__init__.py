from . import publication_issue
from . import print
from . import page_plan
