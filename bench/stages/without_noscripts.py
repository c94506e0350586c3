"""No ``<noscript>``'s raw text is parsed and grafted (``extract/_noscript.py``): the cost
of reading what a visitor without scripts loads."""

from linkguard.extract import _noscript, _tree

assert callable(_tree.graft)  # the name the reader calls
_tree.graft = lambda document: _noscript.Grafts({}, [])
