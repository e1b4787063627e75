from . import publication_issue
from . import print
