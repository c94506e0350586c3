"""No rule runs and no exit notice is assessed: the cost of judging a page's references."""

from linkguard.rules._base import PageVerdict
from linkguard.scan import analysis

assert callable(analysis.evaluate)  # the name analysis calls
analysis.evaluate = lambda ctx, policy: PageVerdict(())
