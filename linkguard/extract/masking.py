"""Template syntax masked out of template sources before they are parsed as HTML.

``{{ url }}``, ``{% if x %}``, ``{# note #}``, ``<%= link %>``, ``<?php echo $u ?>`` and the
like are replaced, character for character, by a private-use sentinel (newlines kept), so:

- the HTML parser never sees template syntax, which would otherwise break attributes
  (``href="{{ url }}"`` is fine, but ``<a {% if ext %}class="ext"{% endif %}>`` is not);
- every line number after masking is the line number in the template file;
- an attribute value that contained template code still shows where it did, so the party of
  ``https://forms.example.com/f/{{ id }}`` is known while ``{{ url }}`` is "dynamic".

Covers Jinja2, Nunjucks, Twig, Django, Liquid, Handlebars/Mustache, Go templates
(``{{ }}`` / ``{% %}`` / ``{# #}`` / ``{{! }}``), ERB/EJS (``<% %>``) and PHP (``<?php ?>``,
``<?= ?>``).
"""

from __future__ import annotations

import re

SENTINEL = "\ue000"

# Longest delimiters first; each construct ends at its own closer (non-greedy, across lines).
_CONSTRUCT = re.compile(
    r"\{\{\{.*?\}\}\}"  # Handlebars raw {{{ x }}}
    r"|\{\{!--.*?--\}\}"  # Handlebars block comment
    r"|\{\{.*?\}\}"  # {{ expression }}, Go templates, Mustache tags
    r"|\{%.*?%\}"  # {% statement %}
    r"|\{#.*?#\}"  # {# comment #}
    r"|<%.*?%>"  # ERB / EJS
    r"|<\?(?:php|=)?.*?(?:\?>|\Z)",  # PHP, to ?> or the end of the file
    re.DOTALL,
)
_NOT_NEWLINE = re.compile(r"[^\n]")


def mask_templates(source: str) -> str:
    """``source`` with every template construct blanked to sentinels, newlines kept."""
    return _CONSTRUCT.sub(lambda m: _NOT_NEWLINE.sub(SENTINEL, m.group(0)), source)


def is_templated(value: str) -> bool:
    """True when an attribute value contained template code."""
    return SENTINEL in value


_KNOWN_PREFIX = re.compile(
    r"(?:[a-zA-Z][a-zA-Z0-9+.-]*:)?//[^/?#\\" + SENTINEL + r"]+[/?#\\]"  # scheme://host/ literal
    r"|/(?![/\\])"  # a root-relative path: this site
    r"|[a-zA-Z][a-zA-Z0-9+.-]*:(?!//)"  # mailto:, tel:, javascript: ...
    r"|[^:/?#\\" + SENTINEL + r"]+[/?#]"  # a relative path with a literal first segment
)


def destination_is_known(value: str) -> bool:
    """Whether a templated attribute value still has a literal destination (scheme and host).

    ``https://forms.example.com/f/{{ id }}`` and ``/products/{{ slug }}`` are known;
    ``{{ url }}``, ``https://{{ cdn }}/x.js`` and ``https://example.com{{ path }}`` are not
    (the last could continue the host name).
    """
    literal = value.split(SENTINEL, 1)[0].lstrip()
    return bool(_KNOWN_PREFIX.match(literal))


_SHOWN = re.compile(SENTINEL + "+|(?:%EE%80%80)+")


def shown(value: str) -> str:
    """``value`` for people: each masked run (raw or percent-encoded) shown as ``{…}``."""
    return _SHOWN.sub("{…}", value)
