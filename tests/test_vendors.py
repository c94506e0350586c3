"""Naming third-party hosts from the bundled third-party-web snapshot."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from linkguard.classify.vendors import build_index, default_index, vendor_of


@pytest.mark.parametrize(
    ("host", "name", "company", "category"),
    [
        ("static.hotjar.com", "Hotjar", "Hotjar", "analytics"),
        ("hotjar.com", "Hotjar", "Hotjar", "analytics"),
        ("www.googletagmanager.com", "Google Tag Manager", "Google", "tag-manager"),
        ("fonts.gstatic.com", "Google Fonts", "Google", "cdn"),
        ("connect.facebook.net", "Facebook", "Facebook", "social"),
        ("WWW.YOUTUBE-NOCOOKIE.COM.", "YouTube", "YouTube", "video"),
    ],
)
def test_known_hosts_are_named(host: str, name: str, company: str, category: str) -> None:
    vendor = vendor_of(host)
    assert vendor is not None
    assert (vendor.name, vendor.company, vendor.category) == (name, company, category)


@pytest.mark.parametrize(
    "host",
    [
        "example.org",
        "",
        "hotjar.com.evil.net",  # a look-alike is not the vendor
        "alice.github.io",  # *.github.io: Alice's site is her own party on the suffix list
        "shop.net.pl",  # *.net.pl would otherwise name every .net.pl site
    ],
)
def test_unknown_or_other_party_hosts_are_not_named(host: str) -> None:
    assert vendor_of(host) is None


def test_the_most_specific_entry_wins() -> None:
    index = build_index([
        {"name": "Broad", "category": "cdn", "domains": ["*.example.net"]},
        {"name": "Narrow", "company": "N Inc", "category": "ad", "domains": ["*.ads.example.net"]},
        {"name": "Exact", "category": "utility", "domains": ["api.ads.example.net"]},
    ])  # fmt: skip
    assert index.lookup("x.ads.example.net").name == "Narrow"  # type: ignore[union-attr]
    assert index.lookup("x.ads.example.net").company == "N Inc"  # type: ignore[union-attr]
    assert index.lookup("api.ads.example.net").name == "Exact"  # type: ignore[union-attr]
    assert index.lookup("www.example.net").name == "Broad"  # type: ignore[union-attr]
    assert index.lookup("www.example.net").company == "Broad"  # type: ignore[union-attr]


def test_the_snapshot_is_dated_and_attributed() -> None:
    data = resources.files("linkguard.data")
    snapshot = json.loads(data.joinpath("third_party_web.json").read_text("utf-8"))["snapshot"]
    notice = data.joinpath("THIRD_PARTY_WEB.md").read_text("utf-8")
    assert snapshot["license"] == "MIT" and snapshot["version"] == default_index().version
    assert snapshot["version"] in notice and "Patrick Hulce" in notice
    assert "Permission is hereby granted" in notice
