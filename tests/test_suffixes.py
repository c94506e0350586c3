"""The public suffix lookup (``classify/_suffixes.py``) gives tldextract's answer.

linkguard reads the list that ships inside tldextract without importing tldextract's code
(which imports requests). These tests hold the two to the same registrable domain for every
rule of the list, as the rule itself, under one and two more labels, its wildcards filled
in, its exceptions, and its Unicode labels written as punycode, as hosts reach the lookup.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
import tldextract

from linkguard.classify._suffixes import rules, snapshot_path, suffix_start
from linkguard.classify.scope import registrable_domain

_TLDEXTRACT = tldextract.TLDExtract(
    suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True
)


def _by_tldextract(host: str) -> str:
    """``registrable_domain`` as it was written on tldextract."""
    host = host.rstrip(".").lower()
    if not host or host.startswith("[") or host.replace(".", "").isdigit():
        return host
    parts = _TLDEXTRACT.extract_str(host)
    return f"{parts.domain}.{parts.suffix}" if parts.domain and parts.suffix else host


def _punycode(host: str) -> str:
    return ".".join(
        label if label.isascii() else "xn--" + label.encode("punycode").decode("ascii")
        for label in host.split(".")
    )


def _hosts_for(rule: str) -> list[str]:
    """Hosts that exercise ``rule``: on it, under it, through its wildcard or exception."""
    if rule.startswith("!"):
        named = rule[1:]
        bases = [named, "a." + named]
    elif rule.startswith("*."):
        bases = [rule[2:], "w." + rule[2:], "v.w." + rule[2:], "u.v.w." + rule[2:]]
    else:
        bases = [rule, "x." + rule, "y.x." + rule]
    return bases + [_punycode(host) for host in bases if not host.isascii()]


def test_the_rules_read_are_tldextracts() -> None:
    read = rules(snapshot_path().read_text(encoding="utf-8"))
    assert len(read) > 9_000  # both sections of the list
    assert set(read) == set(_TLDEXTRACT.tlds)


def test_every_rule_of_the_list_gives_tldextracts_registrable_domain() -> None:
    read = rules(snapshot_path().read_text(encoding="utf-8"))
    assert any(rule.startswith("*.") for rule in read)
    assert any(rule.startswith("!") for rule in read)
    assert any(not rule.isascii() for rule in read)
    differ = {
        host: (registrable_domain(host), _by_tldextract(host))
        for rule in read
        for host in _hosts_for(rule)
        if registrable_domain(host) != _by_tldextract(host)
    }
    assert differ == {}


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("www.example.co.uk", "example.co.uk"),
        ("WWW.Example.COM.", "example.com"),
        ("alice.github.io", "alice.github.io"),  # the private section counts
        ("github.io", "github.io"),  # a public suffix has no registrable domain of its own
        ("a.b.c.kawasaki.jp", "b.c.kawasaki.jp"),  # *.kawasaki.jp takes one more label
        ("www.city.kawasaki.jp", "city.kawasaki.jp"),  # !city.kawasaki.jp: an exception
        ("shop.xn--55qx5d.cn", "shop.xn--55qx5d.cn"),  # 公司.cn, written as punycode
        ("www.xn--bcher-kva.de", "xn--bcher-kva.de"),
        ("intranet.unknowntld", "intranet.unknowntld"),  # no rule: the host itself
        ("localhost", "localhost"),
        ("a..com", "a..com"),  # an empty label before the suffix
        ("xn--zz.com", "xn--zz.com"),  # not valid punycode: read as it is
        ("www.xn--.com", "xn--.com"),
        ("192.0.2.1", "192.0.2.1"),
        ("[::1]", "[::1]"),
        ("", ""),
        ("shop.example\u3002com", "example.com"),  # an ideographic full stop
        # Punycode that is not the standard encoding of what it decodes to ("com", "рф"):
        # not a label of the list, as IDNA (and tldextract) read it.
        ("a.b.xn--com-", "a.b.xn--com-"),
        ("a.b.xn---p1ai", "a.b.xn---p1ai"),
        ("a.b.c.xn--ck-", "a.b.c.xn--ck-"),
        ("a.b.xn--p1ai", "b.xn--p1ai"),  # рф, as it is written
    ],
)
def test_registrable_domains_match_tldextract(host: str, expected: str) -> None:
    assert registrable_domain(host) == expected
    assert _by_tldextract(host) == expected


def test_a_host_without_a_known_suffix_has_none() -> None:
    assert suffix_start(["intranet", "corp"]) is None
    assert suffix_start(["www", "example", "co", "uk"]) == 2
    assert suffix_start([]) is None


def test_a_crawl_and_its_workers_import_neither_tldextract_nor_requests() -> None:
    code = (
        "import sys\n"
        "import linkguard.cli._scan, linkguard.scan.analysis, linkguard.sources.http\n"
        "from linkguard.classify.scope import registrable_domain\n"
        "assert registrable_domain('www.example.co.uk') == 'example.co.uk'\n"
        "print(sorted({'tldextract', 'requests', 'urllib3'} & set(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
