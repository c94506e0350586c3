#!/usr/bin/env python3
"""Generate a deterministic synthetic website for benchmarking crawlers and boundary scanners.

    python bench/gen_site.py --pages 10000 --out bench/site-10000 [--seed 1]

The same pages, seed and origin give the same bytes. Content pages are 15-40 KB of realistic
HTML: a head with first- and third-party scripts (some with integrity), an inline Google Tag
Manager loader and its ``<noscript>`` frame, an inline Meta pixel on some pages, stylesheets
and preconnects; a header with a search form, navigation and breadcrumbs; paragraphs with
internal links (absolute and relative paths, fragments), outbound links with and without
exit notices (marker class, hidden text, interstitial), images with srcset and ``<picture>``;
on some pages forms, iframes and video. Every page is reachable from ``index.html`` and every
first-party URL exists, so a link checker finds nothing broken.

Beside the pages it writes robots.txt, sitemap.xml, images, a stylesheet, a ``linkguard.toml``
whose ``site.origin`` maps the folder, and ``manifest.json`` with the counts a crawler should
reach (HTML documents, interstitial URLs, assets) and what the pages hold. Standard library
only, so the harness can run it with any Python.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
from collections import deque
from pathlib import Path
from urllib.parse import quote

GENERATOR_VERSION = 2
DEFAULT_ORIGIN = "https://www.example-watch.com"
INTERSTITIAL = "/leaving/?url="
MIN_PAGE_BYTES = 15_000
MAX_PAGE_BYTES = 40_000
NAV_PAGES = 20
RANDOM_LINKS = 10

_WORD_TEXT = (
    "watch dial crown bezel strap movement calibre sapphire lume chronograph tachymeter "
    "automatic quartz heritage diver pilot dress field titanium ceramic bracelet clasp "
    "service warranty boutique collection limited edition craftsmanship precision the of "
    "and a to in with for our your every each hand wrist time minute hour second day date "
    "water resistant metres steel gold case back engraving jewel balance spring escapement "
    "reserve power winding rotor hands indices bridge plate finish polished brushed"
)
WORDS = _WORD_TEXT.split()
TLDS = ("com", "net", "org", "co.jp", "de", "fr", "co.uk", "io")
SCRIPT_VENDORS = (
    ('<script async src="https://www.googletagmanager.com/gtag/js?id=G-TEST{n}"></script>'),
    '<script async src="https://connect.facebook.net/en_US/fbevents.js"></script>',
    '<script async src="https://static.hotjar.com/c/hotjar-{n}.js?sv=6"></script>',
    (
        '<script src="https://cdn.jsdelivr.net/npm/swiper@11/swiper-bundle.min.js" '
        'integrity="sha384-{h}" crossorigin="anonymous"></script>'
    ),
    (
        '<script src="https://cdnjs.cloudflare.com/ajax/libs/jquery/3.7.1/jquery.min.js" '
        'integrity="sha384-{h}" crossorigin="anonymous" referrerpolicy="no-referrer"></script>'
    ),
    '<script defer src="https://js.hs-scripts.com/{n}.js" id="hs-script-loader"></script>',
    '<script src="/js/site.js" defer></script>',
)
GTM_LOADER = (
    "<script>(function(w,d,s,l,i){{w[l]=w[l]||[];w[l].push({{'gtm.start':"
    "new Date().getTime(),event:'gtm.js'}});var f=d.getElementsByTagName(s)[0],"
    "j=d.createElement(s),dl=l!='dataLayer'?'&l='+l:'';j.async=true;"
    "j.src='https://www.googletagmanager.com/gtm.js?id='+i+dl;f.parentNode.insertBefore(j,f);"
    "}})(window,document,'script','dataLayer','GTM-{n:04d}');</script>"
)
GTM_NOSCRIPT = (
    '<noscript><iframe src="https://www.googletagmanager.com/ns.html?id=GTM-{n:04d}" '
    'height="0" width="0" style="display:none;visibility:hidden"></iframe></noscript>'
)
META_PIXEL = (
    "<script>!function(f,b,e,v,n,t,s){{if(f.fbq)return;n=f.fbq=function(){{n.callMethod?"
    "n.callMethod.apply(n,arguments):n.queue.push(arguments)}};if(!f._fbq)f._fbq=n;"
    "n.push=n;n.loaded=!0;n.version='2.0';n.queue=[];t=b.createElement(e);t.async=!0;"
    "t.src=v;s=b.getElementsByTagName(e)[0];s.parentNode.insertBefore(t,s)}}(window, "
    "document,'script','https://connect.facebook.net/en_US/fbevents.js');"
    "fbq('init', '{n}');fbq('track', 'PageView');</script>"
)
SOCIAL = ("x.com/examplewatch", "www.instagram.com/examplewatch", "www.youtube.com/@examplewatch")
POLICY_TEMPLATE = """\
# Written by bench/gen_site.py: the policy of the synthetic benchmark site.
[site]
origin = "{origin}"

[crawl]
max_pages = {max_pages}

[exit_notice]
selectors = ["a.ext"]
text = ["(link is external)"]
interstitials = ["{interstitial}{{url}}"]

[[third_party]]
name = "Google Tag Manager"
hosts = ["googletagmanager.com"]
purpose = "Usage statistics"

[[third_party]]
name = "Meta Pixel"
hosts = ["facebook.net"]
purpose = "Advertising measurement"

[[third_party]]
name = "Google Fonts"
hosts = ["fonts.googleapis.com", "fonts.gstatic.com"]
purpose = "Web fonts"

[[third_party]]
name = "YouTube"
hosts = ["youtube-nocookie.com"]
purpose = "Embedded films"
kinds = ["frame"]

[[third_party]]
name = "Mail vendor"
hosts = ["api.mailvendor.com"]
purpose = "Newsletter subscriptions"
"""
SMALL_PAGE = (
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
    '<title>{title} | Example Watch</title>\n<link rel="stylesheet" href="/css/site.css">\n'
    '</head>\n<body>\n<h1>{title}</h1>\n<p>{text}</p>\n<p><a href="/">Home</a></p>\n'
    "</body>\n</html>\n"
)
# A 1x1 JPEG-ish placeholder: the bytes do not matter, only that the URL answers 200.
IMAGE_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def page_file(i: int) -> str:
    """The file of content page ``i``, relative to the site folder."""
    return "index.html" if i == 0 else f"p/{i // 1000}/{i}.html"


def page_path(i: int) -> str:
    """The URL path that serves content page ``i``."""
    return "/" if i == 0 else f"/{page_file(i)}"


def url_path_of(rel_file: str) -> str:
    """The URL path of an HTML file relative to the site: ``a/index.html`` is ``/a/``."""
    if rel_file == "index.html":
        return "/"
    if rel_file.endswith("/index.html"):
        return "/" + rel_file[: -len("index.html")]
    return "/" + rel_file


def html_page_paths(site: Path) -> set[str]:
    """The URL path of every HTML document in a generated site: what a crawl must visit."""
    found = set()
    for dirpath, _dirs, files in os.walk(site):
        for name in files:
            if name.endswith(".html"):
                rel = (Path(dirpath) / name).relative_to(site).as_posix()
                found.add(url_path_of(rel))
    return found


class _Writer:
    """Renders one site: holds the random stream, the outbound domains and the counts."""

    def __init__(self, pages: int, seed: int, origin: str) -> None:
        self.n = pages
        self.origin = origin
        self.rng = random.Random(seed)
        rng = self.rng
        self.domains = [
            f"{rng.choice(WORDS)}-{k}.{rng.choice(TLDS)}" for k in range(max(50, pages // 5))
        ]
        self.images = max(50, pages // 4)
        self.counts = {
            "outbound_links": 0,
            "outbound_with_notice": 0,
            "third_party_scripts": 0,
            "inline_loaders": 0,
            "forms": 0,
            "iframes": 0,
        }
        self.interstitials: set[str] = set()
        self.links: list[list[int]] = []

    def words(self, k: int) -> str:
        return " ".join(self.rng.choices(WORDS, k=k))

    def href(self, source: int, target: int) -> str:
        """A link from page ``source`` to page ``target``: absolute path or relative."""
        if target == 0 or source == 0 or self.rng.random() < 0.7:
            return page_path(target)
        if source // 1000 == target // 1000:
            return f"{target}.html"
        return f"../{target // 1000}/{target}.html"

    def outbound(self) -> str:
        rng = self.rng
        dest = f"https://www.{rng.choice(self.domains)}/{rng.choice(WORDS)}/{rng.randrange(10**6)}"
        self.counts["outbound_links"] += 1
        style = rng.random()
        text = self.words(2)
        if style < 0.35:
            self.counts["outbound_with_notice"] += 1
            return f'<a class="ext" href="{dest}">{text}</a>'
        if style < 0.6:
            self.counts["outbound_with_notice"] += 1
            return (
                f'<a href="{dest}" target="_blank" rel="noopener">{text}'
                '<span class="visually-hidden"> (link is external)</span></a>'
            )
        if style < 0.75:
            self.counts["outbound_with_notice"] += 1
            local = INTERSTITIAL + quote(dest, safe="")
            self.interstitials.add(local)
            return f'<a href="{local}">{text}</a>'
        return f'<a href="{dest}">{text}</a>'

    def head(self, i: int) -> str:
        rng = self.rng
        picked = rng.sample(SCRIPT_VENDORS, rng.randrange(2, 5))
        digest = hashlib.sha256(str(i % 7).encode()).hexdigest()[:48]
        scripts = "\n".join(v.format(n=i % 97, h=digest) for v in picked)
        self.counts["third_party_scripts"] += sum("https://" in v for v in picked)
        self.counts["inline_loaders"] += 1
        pixel = ""
        if i % 3 == 0:
            pixel = META_PIXEL.format(n=100000 + i % 13) + "\n"
            self.counts["inline_loaders"] += 1
        return (
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{self.words(4).title()} | Example Watch</title>\n"
            f'<meta name="description" content="{self.words(18)}">\n'
            '<link rel="icon" href="/favicon.ico">\n'
            '<link rel="preconnect" href="https://www.googletagmanager.com">\n'
            '<link rel="preconnect" href="https://fonts.gstatic.com" crossorigin>\n'
            '<link rel="stylesheet" href="/css/site.css">\n'
            '<link rel="stylesheet" '
            'href="https://fonts.googleapis.com/css2?family=Inter:wght@400;700&amp;display=swap">\n'
            f"{GTM_LOADER.format(n=i % 50)}\n{pixel}{scripts}\n</head>\n"
        )

    def header(self, i: int) -> str:
        nav = "".join(
            f'<li class="nav-item"><a class="nav-link" href="{page_path(j)}">'
            f"{self.rng.choice(WORDS).title()}</a></li>"
            for j in range(min(self.n, NAV_PAGES))
        )
        section = (i // 100) * 100
        crumbs = (
            f'<nav aria-label="Breadcrumb"><ol class="breadcrumb"><li><a href="/">Home</a></li>'
            f'<li><a href="{page_path(section)}">{self.words(2).title()}</a></li>'
            f'<li aria-current="page">{self.words(3).title()}</li></ol></nav>'
        )
        return (
            f"<body>\n{GTM_NOSCRIPT.format(n=i % 50)}\n"
            '<a class="skip-link" href="#main">Skip to content</a>\n'
            '<header class="site-header"><a class="logo" href="/"><img src="/img/logo.svg" '
            'alt="Example Watch" width="160" height="40"></a>\n'
            '<form class="search" action="/search/" method="get" role="search">'
            '<label for="q" class="visually-hidden">Search</label>'
            '<input id="q" name="q" type="search"><button>Search</button></form>\n'
            f'<nav class="main-nav"><ul>{nav}</ul></nav>\n{crumbs}\n</header>\n'
        )

    def figure(self) -> str:
        rng = self.rng
        img = rng.randrange(self.images)
        return (
            '<figure><picture><source type="image/jpeg" '
            f'srcset="/img/{img}.jpg 1x, /img/{img}@2x.jpg 2x">'
            f'<img src="/img/{img}.jpg" srcset="/img/{img}@2x.jpg 2x, '
            f'https://images.ctfassets.net/x/{img}.jpg 3x" alt="{self.words(3)}" '
            f'width="800" height="600" loading="lazy"></picture>'
            f"<figcaption>{self.words(8)}</figcaption></figure>"
        )

    def extras(self, i: int) -> list[str]:
        extras = []
        if i % 7 == 0:
            self.counts["forms"] += 1
            extras.append(
                '<form action="https://api.mailvendor.com/subscribe" method="post">'
                '<input name="email" type="email" autocomplete="email"><button>Subscribe</button>'
                "</form>"
            )
        if i % 11 == 0:
            self.counts["iframes"] += 1
            extras.append(
                f'<iframe src="https://www.youtube-nocookie.com/embed/{i:06d}" title="film" '
                'width="560" height="315" allowfullscreen></iframe>'
            )
        if i % 13 == 0:
            self.counts["forms"] += 1
            extras.append(
                '<form action="http://forms.formvendor.io/f/1" method="post">'
                '<input name="serial"><button>Register</button></form>'
            )
        if i % 17 == 0:
            self.counts["iframes"] += 1
            extras.append(
                '<iframe src="https://www.google.com/maps/embed?pb=boutique" title="map" '
                'loading="lazy"></iframe>'
            )
        if i % 19 == 0:
            extras.append(
                f'<video controls preload="none" poster="/img/{i % self.images}.jpg">'
                f'<source src="https://videos.ctfassets.net/x/{i}.mp4" type="video/mp4">'
                "</video>"
            )
        return extras

    def footer(self) -> str:
        social = " · ".join(
            f'<a href="https://{s}" target="_blank" rel="noopener">{s.split(".")[-2]}</a>'
            if k == 2
            else f'<a class="ext" href="https://{s}">{s.split("/")[0]}</a>'
            for k, s in enumerate(SOCIAL)
        )
        return (
            f'<footer class="site-footer"><p>{self.outbound()} · {social}</p>\n'
            '<p><a href="/privacy.html">Privacy</a> · <a href="/search/">Search</a> · '
            '<a href="mailto:info@example-watch.com">Mail</a> · '
            '<a href="tel:+81-3-0000-0000">Call</a> · <a href="#top">Top</a></p></footer>\n'
            "</body>\n</html>\n"
        )

    def page(self, i: int) -> str:
        rng = self.rng
        targets = [rng.randrange(self.n) for _ in range(RANDOM_LINKS)]
        if i + 1 < self.n:  # a chain guarantees every page is reachable
            targets.append(i + 1)
        self.links.append(targets)
        head = self.head(i) + self.header(i)
        tail_parts = [*self.extras(i), "</main>\n"]
        tail = "\n".join(tail_parts) + self.footer()
        budget = rng.randrange(MIN_PAGE_BYTES + 500, MAX_PAGE_BYTES - 3000) - len(head) - len(tail)
        body = [f'<main id="main">\n<h1>{self.words(5).title()}</h1>\n']
        size = len(body[0])
        k = 0
        while size < budget or k < len(targets):
            parts = [self.words(rng.randrange(20, 60))]
            if k < len(targets):
                fragment = "#details" if rng.random() < 0.1 else ""
                parts.append(f'<a href="{self.href(i, targets[k])}{fragment}">{self.words(3)}</a>')
            if rng.random() < 0.12:
                parts.append(self.outbound())
            parts.append(self.words(rng.randrange(10, 40)))
            block = f"<p>{' '.join(parts)}.</p>\n"
            if k % 8 == 3:
                block = f"<h2>{self.words(4).title()}</h2>\n{block}"
            if k % 12 == 5:
                block += self.figure() + "\n"
            body.append(block)
            size += len(block)
            k += 1
        return head + "".join(body) + tail

    def max_depth(self) -> int:
        """The deepest page in a breadth-first crawl from the home page (nav links included)."""
        depth = [-1] * self.n
        depth[0] = 0
        queue = deque([0])
        nav = range(min(self.n, NAV_PAGES))
        while queue:
            page = queue.popleft()
            for target in (*nav, (page // 100) * 100, *self.links[page]):
                if depth[target] < 0:
                    depth[target] = depth[page] + 1
                    queue.append(target)
        return max(depth)


def _write(path: Path, data: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)


def generate(
    out: Path, pages: int, seed: int = 1, origin: str = DEFAULT_ORIGIN
) -> dict[str, object]:
    """Write the site into ``out`` and return its manifest (also written as manifest.json)."""
    if pages < 1:
        raise ValueError("pages must be at least 1")
    writer = _Writer(pages, seed, origin)
    sizes = []
    for i in range(pages):
        html = writer.page(i)
        sizes.append(len(html.encode("utf-8")))
        _write(out / page_file(i), html)
    small = {
        "privacy.html": ("Privacy", "How we handle your data."),
        "leaving/index.html": ("Leaving", "You are leaving our site for a third party's."),
        "search/index.html": ("Search", "Search results appear here."),
    }
    for rel, (title, text) in small.items():
        _write(out / rel, SMALL_PAGE.format(title=title, text=text))
    assets = {"css/site.css": "body{font-family:Inter,sans-serif}\n", "js/site.js": "void 0;\n"}
    assets["img/logo.svg"] = '<svg xmlns="http://www.w3.org/2000/svg" width="160" height="40"/>\n'
    for rel, text in assets.items():
        _write(out / rel, text)
    binary = ["favicon.ico"] + [
        f"img/{k}{v}.jpg" for k in range(writer.images) for v in ("", "@2x")
    ]
    for rel in binary:
        _write(out / rel, IMAGE_BYTES)
    # No Sitemap line: it must be absolute, and the live origin's would send a crawler of
    # this local copy out to the internet. Crawlers still find /sitemap.xml by convention.
    _write(out / "robots.txt", "User-agent: *\nAllow: /\n")
    locs = "".join(f"<url><loc>{origin}{page_path(i)}</loc></url>\n" for i in range(pages))
    _write(
        out / "sitemap.xml",
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{locs}</urlset>\n',
    )
    max_pages = 4 * pages + 1000
    _write(
        out / "linkguard.toml",
        POLICY_TEMPLATE.format(origin=origin, max_pages=max_pages, interstitial=INTERSTITIAL),
    )
    sizes.sort()
    manifest: dict[str, object] = {
        "generator": GENERATOR_VERSION,
        "seed": seed,
        "origin": origin,
        "content_pages": pages,
        "pages": pages + len(small),
        "interstitial_urls": len(writer.interstitials),
        "assets": len(assets) + len(binary) + 2,  # + robots.txt and sitemap.xml
        "max_depth": writer.max_depth(),
        "page_bytes": {"min": sizes[0], "median": sizes[len(sizes) // 2], "max": sizes[-1]},
        "html_bytes": sum(sizes),
        **writer.counts,
    }
    _write(out / "manifest.json", json.dumps(manifest, indent=2) + "\n")
    return manifest


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--origin", default=DEFAULT_ORIGIN)
    args = parser.parse_args(argv)
    print(json.dumps(generate(args.out, args.pages, args.seed, args.origin)))


if __name__ == "__main__":
    main()
