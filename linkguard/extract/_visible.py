"""What a visitor perceives of an element: the text a notice phrase may be read from.

A notice is something a visitor perceives (ARCHITECTURE.md, «Exit notices»): text on the
screen, or text a screen reader announces. Text hidden from everyone is neither, so an
element's text is read the way a browser renders it, from the markup alone:

- never rendered: the text of ``script``, ``style``, ``template`` (inert content; a
  declarative shadow root, ``<template shadowrootmode>``, is rendered) and ``noscript``
  (every visitor runs scripts);
- hidden from everyone, with what is inside: an element with the ``hidden`` attribute (unless
  its inline style sets another ``display``), or whose inline style says ``display: none``
  or ``content-visibility: hidden``; ``visibility: hidden`` (or ``collapse``) hides it until
  a descendant says ``visibility: visible``;
- perceived: everything else, visually hidden text for screen readers included (``.sr-only``,
  ``.visually-hidden``, clip and off-screen positioning: linkguard does not read stylesheets,
  and those classes are how sites write notices for screen readers). ``aria-hidden="true"``
  hides text from screen readers only: sighted visitors still see it, so it counts;
- announced only: an image's ``alt`` and an SVG's ``aria-label`` are read to screen-reader
  users (a sighted visitor sees the picture), so they count unless the image is hidden from
  everyone or ``aria-hidden``.

An element that ``aria-describedby`` points at is announced as the link's description even
when it is hidden itself, as browsers compute it: its own ``hidden`` and ``display`` are not
applied (what is inside it is read by the rules above).

The reader (``_tree.py``) walks the page's tree with ``perceived``; it gives a link with no
child element its text as it is, the one piece the walk would read (``leaf_text``). The
walk is bounded: it stops after ``max_chars`` characters of text (``RAW_FACTOR`` times as
many as written, whitespace included) and ``max_nodes`` elements, so a link that wraps a
megabyte (or a thousand nested links, each wrapping the rest of the page) costs a bounded
amount per link, and a page stays linear. A notice past those bounds is not read: the link
is reported, never wrongly credited.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TypeVar

from linkguard.extract._elements import HIDDEN_TEXT_TAGS, MAX_TEXT

NEVER_RENDERED = HIDDEN_TEXT_TAGS | {"noscript"}  # script, style, template, noscript
MAX_NODES = 256  # elements a link's text is read from; past them its text is cut
RAW_FACTOR = 32  # characters read as written per character kept (whitespace collapses)

N = TypeVar("N")
Get = Callable[[str], "str | None"]  # an element's attribute by name, None when absent


@dataclass(frozen=True, slots=True)
class _State:
    """What an element passes on to its content."""

    invisible: bool = False  # visibility: hidden (a descendant may be visible again)
    unspoken: bool = False  # aria-hidden="true": a screen reader skips it


VISIBLE = _State()


@dataclass(slots=True)
class Perceived:
    """Text a visitor sees (in document order) and labels only a screen reader announces."""

    max_chars: int
    text: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    size: int = 0  # characters read, whitespace collapsed
    raw: int = 0  # characters read as written: at most RAW_FACTOR * max_chars

    @property
    def full(self) -> bool:
        return self.size > self.max_chars or self.raw >= self.max_chars * RAW_FACTOR

    def add_text(self, piece: str) -> None:
        piece = piece[: self.max_chars * RAW_FACTOR - self.raw]  # a megabyte of text: a slice
        self.text.append(piece)
        self.raw += len(piece)
        self.size += sum(map(len, piece.split())) + 1

    def add_label(self, label: str) -> None:
        self.labels.append(label)
        self.size += len(label)

    def joined(self, separator: str = "") -> str:
        """The visible text, its pieces joined by ``separator``, whitespace collapsed."""
        return " ".join(separator.join(self.text).split())


_HIDING = ("display", "visibility", "content-visibility")


@lru_cache(maxsize=1024)
def hiding_of(style: str) -> tuple[str, str, str]:
    """``display``, ``visibility`` and ``content-visibility`` of an inline style ("" where
    unset); cached, since a nested link's walk meets the same element again."""
    declared = style_of(style) if ":" in style else {}
    display, visibility, content = (declared.get(name, "") for name in _HIDING)
    return display, visibility, content


def style_of(style: str) -> dict[str, str]:
    """An inline ``style`` attribute's declarations (property -> value, lower case), as the
    cascade reads them: a later declaration wins unless an earlier one is ``!important``."""
    found: dict[str, str] = {}
    important: set[str] = set()
    for declaration in style.split(";"):
        name, colon, value = declaration.partition(":")
        if not colon:
            continue
        name, value = name.strip().lower(), value.strip().lower()
        is_important = value.endswith("!important")
        if is_important:
            value = value[: -len("!important")].strip()
        if name in important and not is_important:
            continue
        found[name] = value
        if is_important:
            important.add(name)
    return found


def state_of(tag: str, get: Get, parent: _State, *, referenced: bool = False) -> _State | None:
    """What an element passes on to its content; None when nothing in it is perceived.

    ``referenced``: the element is the target of ``aria-describedby``, announced even when
    hidden itself."""
    if tag in NEVER_RENDERED and not (tag == "template" and get("shadowrootmode") is not None):
        return None
    style = get("style")
    display, visibility_value, content = hiding_of(style) if style else ("", "", "")
    if not referenced:
        if display.split()[:1] == ["none"] or (get("hidden") is not None and not display):
            return None
        if content.split()[:1] == ["hidden"]:
            return None
    visibility = visibility_value.split()[:1]
    invisible = parent.invisible
    if visibility in (["hidden"], ["collapse"]):
        invisible = not referenced
    elif visibility == ["visible"]:
        invisible = False
    unspoken = parent.unspoken or (get("aria-hidden") or "").strip().lower() == "true"
    if (invisible, unspoken) == (parent.invisible, parent.unspoken):
        return parent
    return _State(invisible, unspoken)


def perceived(
    root: N,
    describe: Callable[[N], tuple[str, Get]],
    parts: Callable[[N], Iterable[N | str]],
    *,
    max_chars: int,
    max_nodes: int | None = MAX_NODES,
    referenced: bool = False,
) -> Perceived:
    """What a visitor perceives of ``root`` and what is inside it, in document order.

    ``describe(element)`` gives its tag (lower case) and attribute getter; ``parts(element)``
    its content in order: text (a ``str``) and child elements. The walk is iterative (no
    recursion at any depth) and stops once ``max_chars`` characters or ``max_nodes``
    elements are read."""
    out = Perceived(max_chars)
    tag, get = describe(root)
    top = state_of(tag, get, VISIBLE, referenced=referenced) if referenced else VISIBLE
    if top is None:
        return out
    stack: list[tuple[Iterator[N | str], _State]] = [(iter(parts(root)), top)]
    nodes = 0
    while stack and not out.full:
        content, state = stack[-1]
        part = next(content, None)
        if part is None:
            stack.pop()
        elif isinstance(part, str):
            if not state.invisible:
                out.add_text(part)
        else:
            nodes += 1
            if max_nodes is not None and nodes > max_nodes:
                break
            tag, get = describe(part)
            inner = state_of(tag, get, state)
            if inner is None:
                continue
            if not (inner.invisible or inner.unspoken):
                _label(tag, get, out)
            stack.append((iter(parts(part)), inner))
    return out


def _label(tag: str, get: Get, out: Perceived) -> None:
    """An image's ``alt`` or an SVG's ``aria-label``: what a screen reader announces for it."""
    if tag == "img":
        label = get("alt")
    elif tag == "svg":
        label = get("aria-label")
    else:
        return
    if label:
        out.add_label(label)


def accessible_text(
    link: N,
    describe: Callable[[N], tuple[str, Get]],
    parts: Callable[[N], Iterable[N | str]],
    description: Callable[[str], str],
    *,
    leaf_text: str | None = None,
) -> str:
    """Text a visitor perceives for a link, ``MAX_TEXT`` characters at most: what it shows
    (visually hidden text too), its ``aria-label`` and ``title``, the alt of its images and
    the labels of its SVGs, and ``description(id)`` for each id of its ``aria-describedby``
    (each read once, until the text is full).

    ``leaf_text``: the link has no child element and this is its text (most links), which
    is then all it shows: the walk would read that one piece, so it is skipped."""
    if leaf_text is None:
        seen = perceived(link, describe, parts, max_chars=MAX_TEXT)
        shown, labels = seen.joined(), seen.labels
    else:
        shown, labels = " ".join(leaf_text[: MAX_TEXT * RAW_FACTOR].split()), []
    _, get = describe(link)
    pieces = [shown, get("aria-label") or "", get("title") or "", *labels]
    size = sum(map(len, pieces))
    for ref_id in dict.fromkeys((get("aria-describedby") or "").split()):
        if size > MAX_TEXT:
            break
        described = description(ref_id)
        pieces.append(described)
        size += len(described)
    return " | ".join(p for p in pieces if p)[:MAX_TEXT]


def description_text(
    target: N, describe: Callable[[N], tuple[str, Get]], parts: Callable[[N], Iterable[N | str]]
) -> str:
    """What a screen reader announces of an element ``aria-describedby`` points at (hidden
    itself or not), ``MAX_TEXT`` characters at most: a reader computes it once per page."""
    seen = perceived(target, describe, parts, max_chars=MAX_TEXT, referenced=True)
    return " | ".join(p for p in (seen.joined(), *seen.labels) if p)[:MAX_TEXT]
