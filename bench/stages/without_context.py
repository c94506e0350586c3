"""No element has ancestors' context (notice selectors, data-linkguard-ignore, noscript): the
cost of working it out (``_may_have_context``, the elements that may have one, and
``_Reader._context``)."""

from linkguard.extract import _tree
from linkguard.extract._elements import NO_CONTEXT

assert callable(_tree._Reader._context) and callable(_tree._may_have_context)
_tree._may_have_context = lambda document, matches: set()
_tree._Reader._context = lambda self, element: NO_CONTEXT
