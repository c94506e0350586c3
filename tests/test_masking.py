"""Template syntax is masked without moving a line, and a templated URL is judged only when
its destination is still literal."""

from __future__ import annotations

import pytest

from linkguard.extract.masking import (
    SENTINEL,
    destination_is_known,
    engine_for,
    is_templated,
    mask_templates,
)

CONSTRUCTS = [
    ("jinja expression", "jinja2", '<a href="{{ url }}">x</a>'),
    ("jinja statement", "jinja2", '{% if ext %}<a class="ext">{% endif %}'),
    ("jinja comment", "jinja2", "{# a note #}"),
    ("django url tag", "django", "<form action=\"{% url 'contact' %}\">"),
    ("liquid filter", "liquid", '<img src="{{ image | img_url: "400x" }}">'),
    ("handlebars raw", "handlebars", "{{{ body }}}"),
    ("handlebars comment", "handlebars", "{{!-- note --}}"),
    ("mustache section", "handlebars", "{{#items}}<li>{{name}}</li>{{/items}}"),
    ("go template", "go", '<a href="{{ .URL }}">{{ .Title }}</a>'),
    ("erb", "erb", '<a href="<%= link_url %>"><% if x %>y<% end %></a>'),
    ("php", "php", '<a href="<?php echo $url; ?>">x</a>'),
    ("php short echo", "php", '<a href="<?= $url ?>">x</a>'),
]


@pytest.mark.parametrize(("name", "engine", "source"), CONSTRUCTS, ids=[c[0] for c in CONSTRUCTS])
def test_every_template_language_is_masked_to_the_same_length(
    name: str, engine: str, source: str
) -> None:
    masked = mask_templates(source, engine)
    assert len(masked) == len(source)
    for opener in ("{{", "{%", "{#", "<%", "<?"):
        assert opener not in masked, (name, masked)
    assert SENTINEL in masked


def test_line_numbers_survive_multi_line_constructs() -> None:
    source = '{% set links = [\n  "a",\n  "b",\n] %}\n<a href="https://x.example/">x</a>\n'
    masked = mask_templates(source, "jinja2")
    assert masked.count("\n") == source.count("\n")
    assert masked.splitlines()[4] == '<a href="https://x.example/">x</a>'


def test_html_outside_templates_is_untouched() -> None:
    source = '<p>Braces { alone } and 100% <b>bold</b></p>\n<a href="/x?a=1#f">x</a>'
    assert mask_templates(source, "jinja2") == source


def test_unclosed_php_runs_to_the_end_of_the_file() -> None:
    source = "<p>hi</p>\n<?php\necho 'x';\n"
    masked = mask_templates(source, "php")
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
        # A fixed scheme with a dynamic host: https:{{ cdn }} may render https://tracker/.
        ("https:{{ cdn }}/x.js", False),
        ("HTTP:/{{ cdn }}/x.js", False),
        ("/{{ path }}", False),  # the template may supply /host: //host
        ("javascript:{{ code }}", True),
        ("{{ base }}/x", False),
    ],
)
def test_destination_is_known_only_when_scheme_and_host_are_literal(
    value: str, known: bool
) -> None:
    masked = mask_templates(value, "jinja2")
    assert is_templated(masked)
    assert destination_is_known(masked) is known


# What one engine treats as code is text to another, and the rendered page holds it.
ONLY_ITS_OWN = [
    ("go", '{# <script src="https://hidden.example/a.js"></script> #}', "hidden.example"),
    ("jinja2", '<% <script src="https://hidden.example/a.js"></script> %>', "hidden.example"),
    ("jinja2", '<p>a <? b</p>\n<script src="https://after.example/t.js"></script>', "after"),
    ("django", '{{ x\n<script src="https://hidden.example/a.js"></script> }}', "hidden"),
    ("jinja2", '{% raw %}{# <img src="https://raw.example/p.gif"> #}{% endraw %}', "raw"),
    ("django", "{% verbatim %}{# <img src=https://v.example/p.gif> #}{% endverbatim %}", "v."),
    ("liquid", '{# <img src="https://liquid.example/p.gif"> #}', "liquid"),
    ("handlebars", '{% <img src="https://hbs.example/p.gif"> %}', "hbs"),
    ("handlebars", "{{{{raw}}}}{{ <img src=https://hbsraw.example/p.gif> }}{{{{/raw}}}}", "hbsraw"),
    ("handlebars", "\\{{ <img src=https://escaped.example/p.gif> }}", "escaped"),
    ("erb", '<%% <img src="https://erb.example/p.gif"> %>', "erb"),
    ("php", '{{ <img src="https://php.example/p.gif"> }}', "php"),
]


@pytest.mark.parametrize(("engine", "source", "seen"), ONLY_ITS_OWN)
def test_only_the_engines_own_syntax_is_masked(engine: str, source: str, seen: str) -> None:
    masked = mask_templates(source, engine)
    assert len(masked) == len(source)
    assert seen in masked


@pytest.mark.parametrize(
    ("name", "configured", "engine"),
    [
        ("footer.j2", "go", "jinja2"),
        ("page.liquid", None, "liquid"),
        ("page.html.erb", None, "erb"),
        ("index.php", "jinja2", "php"),
        ("base.html", "go", "go"),
        ("base.html", None, "jinja2"),
        ("theme.TPL", "handlebars", "handlebars"),
    ],
)
def test_the_engine_comes_from_the_extension_then_the_policy(
    name: str, configured: str | None, engine: str
) -> None:
    assert engine_for(name, configured) == engine
