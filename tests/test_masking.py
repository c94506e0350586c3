"""Template syntax is masked without moving a line, and a templated URL is judged only when
its destination is still literal."""

from __future__ import annotations

import pytest

from linkguard.extract.masking import SENTINEL, destination_is_known, is_templated, mask_templates

CONSTRUCTS = [
    ("jinja expression", '<a href="{{ url }}">x</a>'),
    ("jinja statement", '{% if ext %}<a class="ext">{% endif %}'),
    ("jinja comment", "{# a note #}"),
    ("django url tag", "<form action=\"{% url 'contact' %}\">"),
    ("liquid filter", '<img src="{{ image | img_url: "400x" }}">'),
    ("handlebars raw", "{{{ body }}}"),
    ("handlebars comment", "{{!-- note --}}"),
    ("mustache section", "{{#items}}<li>{{name}}</li>{{/items}}"),
    ("go template", '<a href="{{ .URL }}">{{ .Title }}</a>'),
    ("erb", '<a href="<%= link_url %>"><% if x %>y<% end %></a>'),
    ("php", '<a href="<?php echo $url; ?>">x</a>'),
    ("php short echo", '<a href="<?= $url ?>">x</a>'),
]


@pytest.mark.parametrize(("name", "source"), CONSTRUCTS, ids=[c[0] for c in CONSTRUCTS])
def test_every_template_language_is_masked_to_the_same_length(name: str, source: str) -> None:
    masked = mask_templates(source)
    assert len(masked) == len(source)
    for opener in ("{{", "{%", "{#", "<%", "<?"):
        assert opener not in masked, (name, masked)
    assert SENTINEL in masked


def test_line_numbers_survive_multi_line_constructs() -> None:
    source = '{% set links = [\n  "a",\n  "b",\n] %}\n<a href="https://x.example/">x</a>\n'
    masked = mask_templates(source)
    assert masked.count("\n") == source.count("\n")
    assert masked.splitlines()[4] == '<a href="https://x.example/">x</a>'


def test_html_outside_templates_is_untouched() -> None:
    source = '<p>Braces { alone } and 100% <b>bold</b></p>\n<a href="/x?a=1#f">x</a>'
    assert mask_templates(source) == source


def test_unclosed_php_runs_to_the_end_of_the_file() -> None:
    source = "<p>hi</p>\n<?php\necho 'x';\n"
    masked = mask_templates(source)
    assert masked.startswith("<p>hi</p>\n") and "echo" not in masked


@pytest.mark.parametrize(
    ("value", "known"),
    [
        ("https://forms.example.com/f/{{ id }}", True),
        ("https://forms.example.com?id={{ id }}", True),
        ("//cdn.example.net/{{ v }}/app.js", True),
        ("/products/{{ slug }}", True),
        ("products/{{ slug }}", True),
        ("mailto:{{ email }}", True),
        ("{{ url }}", False),
        ("https://{{ cdn }}/x.js", False),
        ("https://example.com{{ path }}", False),  # could continue the host: .evil.net
        ("https://shop.{{ domain }}/", False),
        ("{% url 'contact' %}", False),
        ("//{{ host }}/x", False),
        ("{{ base }}/x", False),
    ],
)
def test_destination_is_known_only_when_scheme_and_host_are_literal(
    value: str, known: bool
) -> None:
    masked = mask_templates(value)
    assert is_templated(masked)
    assert destination_is_known(masked) is known
