"""The public suffix list, read from the snapshot that ships inside tldextract, without
importing tldextract's code.

tldextract's modules import ``requests`` (and urllib3, charset_normalizer, idna) to
download a newer list, which linkguard never does: that import was a quarter of every
``linkguard`` command's start-up (~0.12 CPU-s, paid again by the analysis workers'
forkserver). So the list's file is found with ``importlib.util.find_spec``, which locates
the package without running it, and read here; tldextract stays the dependency that ships
and versions the list.

The lookup is tldextract's, so a host gets the registrable domain it always had
(``tests/test_suffixes.py`` checks every rule of the list, and its wildcards and
exceptions, against tldextract itself): the private section counts (``github.io`` is a
suffix); labels are matched from the right, a punycode label by its Unicode form, as long
as each is a known node; where none is, a wildcard rule (``*.ck``) takes one more label,
unless an exception (``!www.ck``) names it.
"""

from __future__ import annotations

import functools
import importlib.util
import re
from pathlib import Path

SNAPSHOT = ".tld_set_snapshot"  # the list's file inside the tldextract package
_RULE = re.compile(r"^(?!//)\S+", re.MULTILINE)  # a line's first word; "//" starts a comment


def snapshot_path() -> Path:
    """The suffix list file bundled with the installed tldextract."""
    spec = importlib.util.find_spec("tldextract")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("tldextract is not installed: reinstall linkguard from its checkout")
    path = Path(next(iter(spec.submodule_search_locations))) / SNAPSHOT
    if not path.is_file():
        raise RuntimeError(
            f"tldextract's public suffix list is not at {path}: install the tldextract "
            "version pyproject.toml names"
        )
    return path


def rules(text: str) -> list[str]:
    """The rules of a public suffix list file: each line's first word, comments and blank
    lines left out, both sections (ICANN and private) alike."""
    return _RULE.findall(text)


@functools.cache
def _nodes() -> dict[str, bool]:
    """Every node of the list's rules by its suffix ("uk", "co.uk", "*.ck", "!www.ck"):
    True where a rule ends, False for a label on the way to one. Read on first use."""
    found = rules(snapshot_path().read_text(encoding="utf-8"))
    nodes = dict.fromkeys(found, True)
    for rule in found:
        dot = rule.find(".")
        while dot != -1:  # the labels on the way: "jp" and "kawasaki.jp" for "*.kawasaki.jp"
            parent = rule[dot + 1 :]
            if parent in nodes:  # a rule (its own turn adds the rest) or already added
                break
            nodes[parent] = False
            dot = rule.find(".", dot + 1)
    return nodes


def _unicode(label: str) -> str:
    """A label as the list spells it: an ``xn--`` label decoded, when it is what IDNA calls
    an A-label (the standard encoding of a non-ASCII label); left as it is otherwise, as
    IDNA's decoder leaves ``xn--com-`` (which spells "com") and ``xn---p1ai`` (a second
    spelling of "рф")."""
    if not label.startswith("xn--"):
        return label
    encoded = label[4:]
    try:
        decoded = encoded.encode("ascii").decode("punycode")
    except (UnicodeError, ValueError):
        return label
    if decoded.isascii() or decoded.encode("punycode").decode("ascii") != encoded:
        return label
    return decoded


def suffix_start(labels: list[str]) -> int | None:
    """Index of the first label of the public suffix of a host's (lower-case) ``labels``;
    None when no rule matches (an unknown TLD: no suffix)."""
    nodes = _nodes()
    start = len(labels)
    node = ""
    for index in range(len(labels) - 1, -1, -1):
        label = _unicode(labels[index])
        key = f"{label}.{node}" if node else label
        end = nodes.get(key)
        if end is not None:
            node = key
            if end:
                start = index
            continue
        under = f".{node}" if node else ""
        if f"*{under}" in nodes:  # a wildcard takes this label, unless an exception names it
            return index + 1 if f"!{label}{under}" in nodes else index
        break
    return None if start == len(labels) else start
