"""A site and its third parties on 127.0.0.1, for browser mode's tests.

The site is served over HTTP on one port; its third parties (``*.test`` hosts) over HTTPS
with a throwaway certificate on another, told apart by the ``Host`` header, and Chromium is
pointed at them with ``--host-resolver-rules=MAP *.test 127.0.0.1:PORT``. HTTPS is needed
because a cross-site frame's cookie is only kept when it is ``Secure; SameSite=None``.

What it plays: a tag-manager loader on the home page injects a vendor script, which sets a
first-party cookie and fires a beacon; a cross-site iframe sets a third-party cookie and
writes localStorage, and its script fetches from an API host; a dedicated worker fetches
from that API host too. ``/banner.html`` has a
consent banner (``#accept``, ``#reject``): an ad pixel (wrongly) fires before consent, and a
statistics script that sets a cookie is loaded only once the visitor accepts.
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HOME = """<!doctype html><html><head><title>Home</title>
<script>
(function () {
  var s = document.createElement('script');
  s.src = 'https://tags.test/gtm.js';
  document.head.appendChild(s);
})();
new Worker('/worker.js');
</script></head><body>
<h1>Home</h1>
<a href="/about.html">About us</a>
<iframe src="https://frame.test/embed" title="Player"></iframe>
</body></html>"""
ABOUT = "<!doctype html><html><head><title>About</title></head><body><p>About.</p></body></html>"
GTM = """var s = document.createElement('script');
s.src = 'https://vendor.test/pixel.js';
document.head.appendChild(s);"""
PIXEL = """document.cookie = '_va=1; max-age=31536000; path=/';
navigator.sendBeacon('https://vendor.test/collect', 'visit');"""
BANNER = """<!doctype html><html><head><title>Banner</title></head><body>
<div id="banner"><p>We use cookies.</p>
<button id="reject">Reject all</button> <button id="accept">Accept all</button></div>
<script>
new Image().src = 'https://ads.test/early.gif';
document.getElementById('accept').onclick = function () {
  var s = document.createElement('script');
  s.src = 'https://stats.test/stats.js';
  document.head.appendChild(s);
  document.getElementById('banner').remove();
};
document.getElementById('reject').onclick = function () {
  document.getElementById('banner').remove();
};
</script></body></html>"""
STATS = "document.cookie = '_st=1; max-age=86400; path=/';"
# "seen" grows by one character a visit: a browser that kept the last visit's storage shows
EMBED = """<!doctype html><html><body><p>player</p>
<script src="https://frame.test/player.js"></script>
<script>localStorage.setItem('player_volume', '0.8');
localStorage.setItem('seen', (localStorage.getItem('seen') || '') + 'x');</script></body></html>"""

# What the browser sees that the markup does not say, one page each, all linked from /hub.html:
# a notice Drupal's extlink script applies; one the site's own script applies (and a form it
# adds); one a script removes; URLs an inline script only mentions (one it then loads, one it
# never does) and a load the markup shows that never runs; a beacon fired late, while the
# page is still polling.
HUB = """<!doctype html><html><head><title>Hub</title></head><body><ul>
<li><a href="/drupal.html">Drupal</a></li><li><a href="/custom.html">Custom</a></li>
<li><a href="/stripped.html">Stripped</a></li><li><a href="/mentions.html">Mentions</a></li>
<li><a href="/late.html">Late</a></li></ul></body></html>"""
DRUPAL = """<!doctype html><html><head><title>Drupal</title></head><body>
<p><a href="https://partner.test/drupal">Partner</a></p>
<script type="application/json" data-drupal-selector="drupal-settings-json">
{"path": {"baseUrl": "/"}, "extlink": {"extClass": "ext", "extLabel": "(link is external)"}}
</script>
<script src="/modules/contrib/extlink/js/extlink.js"></script>
</body></html>"""
EXTLINK = """document.querySelectorAll('a[href]').forEach(function (a) {
  if (a.host === location.host) return;
  a.classList.add('ext');
  var label = document.createElement('span');
  label.className = 'visually-hidden';
  label.textContent = ' (link is external)';
  a.appendChild(label);
});"""
CUSTOM = """<!doctype html><html><head><title>Custom</title></head><body>
<p><a id="out" href="https://partner.test/custom">Partner</a></p>
<script>
var note = document.createElement('span');
note.textContent = ' (external link)';
document.getElementById('out').appendChild(note);
var form = document.createElement('form');
form.action = 'https://forms.test/subscribe';
form.method = 'post';
document.body.appendChild(form);
</script></body></html>"""
STRIPPED = """<!doctype html><html><head><title>Stripped</title></head><body>
<p><a id="gone" href="https://partner.test/stripped">Partner
<span class="note">(external link)</span></a></p>
<script>document.querySelector('#gone .note').remove();</script></body></html>"""
MENTIONS = """<!doctype html><html><head><title>Mentions</title>
<script>
var settings = {cdn: 'https://cdn.test/unused.js', widget: 'https://widget.test/w.js'};
var load = function (u) {
  var s = document.createElement('script'); s.src = u; document.head.appendChild(s);
};
load(settings['widget']);
if (window.neverTrue) {
  var n = document.createElement('script'); n.src = 'https://never.test/n.js';
  document.head.appendChild(n);
}
</script></head><body><p>Mentions</p></body></html>"""
LATE = """<!doctype html><html><head><title>Late</title></head><body><p>Late</p>
<script>
var polls = 0;
var poll = setInterval(function () {
  fetch('/tick?' + (++polls));
  if (polls >= 5) clearInterval(poll);
}, 400);
setTimeout(function () { navigator.sendBeacon('https://vendor.test/late', 'late'); }, 2300);
</script></body></html>"""

# (host, path) -> (content type, body, extra headers); the site answers on host "site"
ROUTES: dict[tuple[str, str], tuple[str, str, tuple[tuple[str, str], ...]]] = {
    ("site", "/"): ("text/html", HOME, (
        ("Set-Cookie", "session_id=abc; Max-Age=86400; Path=/; HttpOnly"),)),
    ("site", "/about.html"): ("text/html", ABOUT, ()),
    ("site", "/banner.html"): ("text/html", BANNER, ()),
    ("ads.test", "/early.gif"): ("image/gif", "GIF89a", ()),
    ("stats.test", "/stats.js"): ("text/javascript", STATS, ()),
    ("site", "/worker.js"): ("text/javascript", "fetch('https://api.test/data');", ()),
    ("tags.test", "/gtm.js"): ("text/javascript", GTM, ()),
    ("vendor.test", "/pixel.js"): ("text/javascript", PIXEL, ()),
    ("vendor.test", "/collect"): ("text/plain", "", ()),
    ("api.test", "/data"): ("application/json", "{}", (("Access-Control-Allow-Origin", "*"),)),
    ("site", "/hub.html"): ("text/html", HUB, ()),
    ("site", "/drupal.html"): ("text/html", DRUPAL, ()),
    ("site", "/modules/contrib/extlink/js/extlink.js"): ("text/javascript", EXTLINK, ()),
    ("site", "/custom.html"): ("text/html", CUSTOM, ()),
    ("site", "/stripped.html"): ("text/html", STRIPPED, ()),
    ("site", "/mentions.html"): ("text/html", MENTIONS, ()),
    ("site", "/late.html"): ("text/html", LATE, ()),
    ("site", "/tick"): ("text/plain", "", ()),
    ("widget.test", "/w.js"): ("text/javascript", "window.widget = 1;", ()),
    ("vendor.test", "/late"): ("text/plain", "", ()),
    # the frame's own script fetches from an API: its initiator is in the frame's process
    ("frame.test", "/player.js"): ("text/javascript", "fetch('https://api.test/frame');", ()),
    ("api.test", "/frame"): ("application/json", "{}", (("Access-Control-Allow-Origin", "*"),)),
    ("frame.test", "/embed"): ("text/html", EMBED, (
        ("Set-Cookie", "fid=42; Secure; SameSite=None; Max-Age=3600; Path=/"),)),
}  # fmt: skip


_HITS = threading.Condition()  # every request the servers answered, for tests to wait on
_SEEN: list[tuple[str, str]] = []


def requests_so_far() -> int:
    """How many requests the servers have answered: a mark for ``wait_for_request``."""
    with _HITS:
        return len(_SEEN)


def wait_for_request(host: str, path: str, timeout: float, *, since: int) -> bool:
    """Whether a request for ``host`` (``127.0.0.1`` for the site) and ``path`` arrived after
    the mark ``since`` (waiting up to ``timeout`` seconds for it)."""
    with _HITS:
        return _HITS.wait_for(lambda: (host, path) in _SEEN[since:], timeout)


class _Handler(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        host = self.headers.get("Host", "").split(":")[0]
        with _HITS:
            _HITS.notify_all()
            _SEEN.append((host, self.path))
        route = ROUTES.get(("site" if host == "127.0.0.1" else host, self.path.split("?")[0]))
        if route is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        content_type, body, headers = route
        if "session_id=" in self.headers.get("Cookie", ""):  # a session is made once
            headers = tuple(h for h in headers if not h[1].startswith("session_id="))
        data = body.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = _answer
    do_POST = _answer  # sendBeacon posts

    def log_message(self, format: str, *args: object) -> None:
        pass


@dataclass(frozen=True)
class BrowserSite:
    url: str  # the site's home page, http://127.0.0.1:PORT/
    third_parties: int  # the HTTPS port the *.test hosts are mapped to

    @property
    def args(self) -> list[str]:
        """The Chromium switches that reach the third parties."""
        rules = f"--host-resolver-rules=MAP *.test 127.0.0.1:{self.third_parties}"
        return [rules, "--ignore-certificate-errors"]


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A throwaway certificate for the *.test hosts, made with the openssl CLI."""
    openssl = shutil.which("openssl")
    assert openssl is not None
    cert, key = folder / "cert.pem", folder / "key.pem"
    names = ",".join(
        f"DNS:{h}.test" for h in ("tags", "vendor", "api", "frame", "ads", "stats", "widget")
    )
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=frame.test", "-addext", f"subjectAltName={names}",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@contextmanager
def browser_site(certificate: tuple[Path, Path]) -> Iterator[BrowserSite]:
    """The site on HTTP and its third parties on HTTPS, both on 127.0.0.1, for a test."""
    plain = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    tls = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    tls.socket = context.wrap_socket(tls.socket, server_side=True)
    for server in (plain, tls):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield BrowserSite(f"http://127.0.0.1:{plain.server_address[1]}/", tls.server_address[1])
    finally:
        for server in (plain, tls):
            server.shutdown()
            server.server_close()
