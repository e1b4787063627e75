from . import portal
from . import privacy
from . import saved_card
