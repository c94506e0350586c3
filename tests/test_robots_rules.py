"""A robots.txt that cannot disallow anything is not asked about each URL
(``robots.may_disallow``): whatever file it says that of, Protego allows every URL."""

from __future__ import annotations

import random

from protego import Protego

from linkguard.sources.robots import may_disallow

LINES = [
    "User-agent: *", "User-agent: linkguard", "user agent googlebot", "Allow: /", "Allow: /p/",
    "Disallow:", "Disallow: ", "Disallow: # nothing", "Disallow: /admin", "disallow:/private",
    "DISALLOW: /*?sort=", "Dissalow: /x", "Disalow: /y", "Diasllow: /z", "Disallaw: /w",
    "Dissallow: /v", "Disallow /no-colon", "Disallow: *", "Disallow: /$", "Sitemap: /sitemap.xml",
    "Sitemap: https://www.example.com/sitemap-directory.xml", "Crawl-delay: 1", "# a comment",
    "# Disallow: /commented", "", "Noindex: /x", "Disallow:\t/tab", "  Disallow  :  /spaced  ",
]  # fmt: skip
URLS = [
    "https://www.example.com/", "https://www.example.com/admin", "https://www.example.com/private/a",
    "https://www.example.com/p/1.html?sort=up", "https://www.example.com/x", "https://www.example.com/y",
    "https://www.example.com/z", "https://www.example.com/w", "https://www.example.com/v",
    "https://www.example.com/no-colon", "https://www.example.com/tab", "https://www.example.com/spaced",
    "https://www.example.com/leaving?to=https%3A%2F%2Fpartner.example.net%2F",
]  # fmt: skip
AGENTS = ["linkguard/0.1 (+https://www.example.com/bot)", "Googlebot"]


def test_a_file_that_cannot_disallow_lets_protego_allow_every_url() -> None:
    rng = random.Random(19)
    files = ["\n".join(rng.choice(LINES) for _ in range(rng.randint(0, 8))) for _ in range(3_000)]
    shortcut = 0
    for text in files:
        if may_disallow(text):
            continue
        shortcut += 1
        rules = Protego.parse(text)
        assert all(rules.can_fetch(url, agent) for url in URLS for agent in AGENTS), text
    assert shortcut > 100  # files of Allow, Sitemap, comments and empty Disallow lines


def test_common_allow_all_files_take_the_shortcut_and_real_rules_do_not() -> None:
    assert not may_disallow("User-agent: *\nAllow: /\n")
    assert not may_disallow("User-agent: *\nDisallow:\n\nSitemap: https://example.com/s.xml\n")
    assert not may_disallow("")
    assert may_disallow("User-agent: *\nDisallow: /admin\n")
    assert may_disallow("User-agent: *\nDisallow /admin\n")  # Protego reads it without ":"
    assert may_disallow("User-agent: *\nDiasllow: /admin\n")  # and misspelled
