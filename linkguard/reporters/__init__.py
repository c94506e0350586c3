"""Reporters: a ScanResult drawn as HTML, JSON, SARIF, JUnit XML, Markdown or CI-log text.

Each format is one module with a ``render(result) -> str``; :func:`render` picks one by
:class:`Format`. Reporters read results and return text: they never open files, print,
re-crawl or re-classify (only ``linkguard.cli`` writes). ``console.py`` holds the terminal
summary, which is not a file format. Whether a run passes is
``linkguard.results.verdict``'s to say, so every report agrees with the exit code.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from linkguard.model import ScanResult


class Format(StrEnum):
    """The file formats a report can be written in (``--format``, listed in this order)."""

    JSON = "json"
    HTML = "html"
    SARIF = "sarif"
    JUNIT = "junit"
    MARKDOWN = "markdown"
    TEXT = "text"

    @property
    def default_output(self) -> str:
        """The file a report in this format goes to when no ``--output`` names one."""
        return _DEFAULT_OUTPUTS[self]


_DEFAULT_OUTPUTS = {
    Format.JSON: "linkguard-results.json",
    Format.HTML: "linkguard-report.html",
    Format.SARIF: "linkguard.sarif",
    Format.JUNIT: "linkguard-junit.xml",
    Format.MARKDOWN: "linkguard-summary.md",
    Format.TEXT: "linkguard.txt",
}


Renderer = Callable[[ScanResult], str]


def renderer_for(fmt: Format) -> Renderer:
    """The render function of one format (imported on demand: HTML pulls in Jinja2)."""
    if fmt is Format.HTML:
        from linkguard.reporters import html

        return html.render
    if fmt is Format.JSON:
        from linkguard.reporters import json

        return json.render
    if fmt is Format.SARIF:
        from linkguard.reporters import sarif

        return sarif.render
    if fmt is Format.JUNIT:
        from linkguard.reporters import junit

        return junit.render
    if fmt is Format.MARKDOWN:
        from linkguard.reporters import markdown

        return markdown.render
    if fmt is Format.TEXT:
        from linkguard.reporters import text

        return text.render
    raise ValueError(f"no reporter for format {fmt!r}")


def render(result: ScanResult, fmt: Format) -> str:
    """The result as text in ``fmt``; the caller decides where it goes."""
    return renderer_for(Format(fmt))(result)


__all__ = ["Format", "Renderer", "render", "renderer_for"]
