"""No element has ancestors' context (notice selectors, data-linkguard-ignore, noscript): the
cost of working it out (``_folded``, the elements that have one, and ``_Reader._context``)."""

from linkguard.extract import _tree
from linkguard.extract._elements import NO_CONTEXT

assert callable(_tree._Reader._context) and callable(_tree._folded)
_tree._folded = lambda document, matches: set()
_tree._Reader._context = lambda self, element: NO_CONTEXT
