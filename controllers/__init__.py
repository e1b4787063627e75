from . import portal
from . import privacy
from . import web
