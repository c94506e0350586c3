"""The fallback reader for pages libxml2 will not build a tree of (nesting over 2,048 deep).

A streaming tokenizer (the standard library's): linear time, no recursion, every reference
kept with its line. What it cannot give is ancestor context, so configured exit-notice
selectors match only the element itself and ``data-linkguard-ignore`` only on the element.
"""

from __future__ import annotations

from dataclasses import replace
from html.parser import HTMLParser

from lxml import etree

from linkguard.classify import urls
from linkguard.extract._elements import (
    JS_TYPES,
    MAX_TEXT,
    ExtractedPage,
    compiled_selector,
    ignore_ids,
    make_reference,
    reference_url,
    references_of,
    script_literals,
    start_tag,
)
from linkguard.model import Kind, Reference


class _Tokens(HTMLParser):
    def __init__(self, page_url: str, selectors: tuple[str, ...]) -> None:
        super().__init__(convert_charrefs=True)
        self.selectors = selectors
        self.page_url = page_url
        self.base = page_url
        self.refs: list[Reference] = []
        self.link: tuple[int, list[str]] | None = None  # index of open link ref, its text
        self.script: tuple[int, str] | None = None  # line, type of an open inline script
        self.script_text: list[str] = []
        self.noscript = 0
        self.parents: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        line = self.getpos()[0]
        if tag == "base" and values.get("href") and self.base == self.page_url:
            self.base = urls.resolve(values["href"], self.page_url) or self.page_url
        if tag == "noscript":
            self.noscript += 1
        if tag == "script" and "src" not in values:
            self.script = (line, values.get("type", "").strip().lower())
            self.script_text = []
            return
        if tag == "img" and self.link is not None and values.get("alt"):
            self.link[1].append(values["alt"])
        parent = self.parents[-1] if self.parents else ""
        if tag in ("video", "audio", "picture"):
            self.parents.append(tag)
        for kind, attr, raw in references_of(tag, values, parent):
            if kind is Kind.LINK:
                self.link = (
                    len(self.refs),
                    [values.get("aria-label", ""), values.get("title", "")],
                )
            ignore = values.get("data-linkguard-ignore")
            self.refs.append(
                make_reference(
                    kind,
                    tag,
                    attr,
                    raw,
                    values,
                    url=reference_url(kind, raw, self.page_url, self.base),
                    line=line,
                    element=start_tag(tag, values),
                    notice_selectors=self._matching(tag, values) if kind is Kind.LINK else (),
                    ignore=ignore_ids(ignore) if ignore is not None else frozenset(),
                    in_noscript=self.noscript > 0,
                )
            )

    def _matching(self, tag: str, values: dict[str, str]) -> tuple[str, ...]:
        """Configured selectors that match the element on its own (no ancestors here)."""
        if not self.selectors:
            return ()
        try:
            alone = etree.Element(
                tag,
                {
                    k: v
                    for k, v in values.items()
                    if k.isidentifier() or k.replace("-", "_").isidentifier()
                },
            )
        except ValueError:
            return ()
        found = []
        for selector in self.selectors:
            compiled = compiled_selector(selector)
            if compiled is not None and compiled(alone):
                found.append(selector)
        return tuple(found)

    def handle_endtag(self, tag: str) -> None:
        if tag == "noscript" and self.noscript:
            self.noscript -= 1
        elif tag in ("video", "audio", "picture") and self.parents:
            self.parents.pop()
        elif tag in ("a", "area") and self.link is not None:
            index, text = self.link
            ref = self.refs[index]
            joined = " | ".join(t for t in text if t)
            self.refs[index] = replace(ref, text=joined[:MAX_TEXT])
            self.link = None
        elif tag == "script" and self.script is not None:
            line, kind = self.script
            self.script = None
            if kind in JS_TYPES:
                for offset, literal in script_literals("".join(self.script_text)):
                    self.refs.append(
                        Reference(
                            kind=Kind.SCRIPT,
                            tag="script",
                            attr="inline",
                            raw=literal,
                            url=urls.resolve(literal, self.base),
                            line=line + offset,
                            element=f"<script> … {literal} … </script>"[:300],
                            in_noscript=self.noscript > 0,
                        )
                    )

    def handle_data(self, data: str) -> None:
        if self.script is not None:
            self.script_text.append(data)
        elif self.link is not None and data.strip():
            self.link[1].insert(
                len(self.link[1]) - 2 if len(self.link[1]) >= 2 else 0, " ".join(data.split())
            )


def extract_flat(text: str, page_url: str, selectors: tuple[str, ...] = ()) -> ExtractedPage:
    tokens = _Tokens(page_url, selectors)
    tokens.feed(text)
    tokens.close()
    return ExtractedPage(page_url, "", tuple(tokens.refs), flat=True)
