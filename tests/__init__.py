from . import test_subscription
from . import test_cancel_pause
from . import test_print_run
from . import test_security
from . import test_constraints
from . import test_partner
