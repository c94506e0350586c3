"""The line where a start tag begins, for the tree walk: libxml2 gives the line where it ends.

A finding points at the line of the ``<``: that is where an editor, a SARIF viewer or a
reviewer looks for ``<a`` when a start tag is written over several lines. libxml2 records
only the line its parser was on when it finished the start tag, so ``StartLines`` finds the
``<tag`` in the page's text that ends on that line.

Elements come in document order, and start tags follow one another in the text, so a cursor
only moves forward: the whole page costs one pass over its text, however many references it
has. A ``<tag`` that is not the element's (inside a comment, a script or an attribute
value) is told apart because its own ``>`` is not on the element's line; when nothing
matches, the element keeps libxml2's line, as before. A ``<tag`` found on the element's
own line is taken at once: the tag begins where it ends, as most do.
"""

from __future__ import annotations

import re

MAX_TAG = 16_384  # characters a start tag may span; beyond it, libxml2's line is kept
# The rest of a start tag after ``<name``: attributes, quoted values whole, up to ``>``
# (possessive: a tag with no ``>`` fails in one pass, without backtracking).
_REST = re.compile(r"""(?:[^>"']++|"[^"]*+"|'[^']*+')*+>""")


_OPENINGS: dict[str, re.Pattern[str]] = {}


def _opening(tag: str) -> re.Pattern[str]:
    """``<tag`` as a start tag begins, in any case (``<A HREF>``)."""
    found = _OPENINGS.get(tag)
    if found is None:
        found = _OPENINGS[tag] = re.compile(rf"<{re.escape(tag)}(?=[\s/>])", re.IGNORECASE)
    return found


class StartLines:
    """Maps each element, in document order, to the line where its start tag begins."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0  # every start tag still to come begins at or after this offset
        self.line = 1  # the line of ``pos``

    def start(self, tag: str, end_line: int) -> int:
        """The line of the ``<`` of the next ``tag`` start tag, which libxml2 says ends on
        ``end_line``; ``end_line`` itself when no such tag is found."""
        if end_line <= 0:
            return end_line
        text, opening = self.text, _opening(tag)
        pos, line = self.pos, self.line
        while (found := opening.search(text, pos)) is not None:
            line += text.count("\n", pos, found.start())
            pos = found.start()
            if line > end_line:
                break
            if line == end_line:  # begins where it ends: a one-line tag, the common case
                self.pos, self.line = found.end(), line
                return line
            rest = _REST.match(text, found.end(), min(len(text), found.end() + MAX_TAG))
            if rest is not None and line + text.count("\n", pos, rest.end()) == end_line:
                self.pos, self.line = rest.end(), end_line
                return line
            pos += 1  # not this element's tag: look further
        self._skip_to(end_line)
        return end_line

    def _skip_to(self, end_line: int) -> None:
        """Move the cursor to the start of ``end_line``: the element's start tag ends on
        it, so every later one begins there or after, and no text is searched twice."""
        text, pos, line = self.text, self.pos, self.line
        while line < end_line:
            newline = text.find("\n", pos)
            if newline < 0:
                break
            pos, line = newline + 1, line + 1
        self.pos, self.line = pos, line
