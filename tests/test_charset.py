"""A page decodes as a browser decodes it: only the WHATWG Encoding Standard's labels name
an encoding, and the ``<meta>`` that declares one is found as Chromium finds it. Python's
other codecs (``cp037``, ``rot13``, ``zlib`` ...) are ignored, never used, never a crash."""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from linkguard.extract import decode_html, extract_references

PAGE = "https://www.example.com/"
BODY = '<html><head>{meta}</head><body><a href="https://partner.example/">partner</a></body></html>'

# Names Python decodes and browsers do not: some would turn the page into text with no tag
# (cp037, cp1026, utf-32, punycode), the rest are not text encodings and raised.
NOT_WEB_LABELS = ["cp037", "cp1026", "utf-32", "punycode", "rot13", "base64", "hex", "zlib"]
NOT_WEB_LABELS += ["uu", "idna", "bz2", "quopri"]


@pytest.mark.parametrize("label", NOT_WEB_LABELS)
def test_a_meta_charset_browsers_do_not_know_is_ignored(label: str) -> None:
    body = BODY.format(meta=f'<meta charset="{label}">').encode()
    page = extract_references(body, PAGE)
    assert [r.url for r in page.references] == ["https://partner.example/"]


@pytest.mark.parametrize("label", NOT_WEB_LABELS)
def test_an_http_charset_browsers_do_not_know_is_ignored(label: str) -> None:
    body = BODY.format(meta="").encode()
    page = extract_references(body, PAGE, charset=label)
    assert [r.url for r in page.references] == ["https://partner.example/"]


def test_an_unknown_http_charset_falls_back_to_the_meta() -> None:
    body = BODY.format(meta='<meta charset="windows-1251">').encode() + "ы".encode("cp1251")
    assert decode_html(body, "rot13").endswith("ы")


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        # The prescan skips comments and the text of scripts, as Chromium's tokenizer does.
        ("<!-- <meta charset=windows-1251> -->", "é"),
        ("<script>var m = '<meta charset=windows-1251>';</script>", "é"),
        # A meta that names UTF-16 means UTF-8; x-user-defined means windows-1252.
        ('<meta http-equiv="Content-Type" content="text/html; charset=utf-16le">', "é"),
        ("<meta charset=x-user-defined>", "Ã©"),
        ("<meta charset=windows-1251>", "Г©"),
    ],
)
def test_the_meta_prescan_reads_tags_as_a_browser_does(meta: str, expected: str) -> None:
    body = (meta + "<p>").encode() + b"\xc3\xa9"  # UTF-8 for é
    assert decode_html(body).endswith(expected)


def test_a_meta_far_into_the_body_is_not_honoured() -> None:
    body = b"<body>" + b"x" * 2_000 + b'<meta charset="iso-2022-kr"><a href="/after">a</a>'
    assert [r.raw for r in extract_references(body, PAGE).references] == ["/after"]


def test_the_replacement_encoding_shows_nothing_as_in_a_browser() -> None:
    body = BODY.format(meta='<meta charset="iso-2022-kr">').encode()
    assert decode_html(body) == "\ufffd"


def test_undeclared_bytes_that_are_not_utf8_are_windows_1252() -> None:
    assert decode_html(b"caf\xe9 \x93quoted\x94") == "café “quoted”"
    assert decode_html("café".encode() + b" \xff") == "café \ufffd"  # UTF-8 with a stray byte


class _Rot13(BaseHTTPRequestHandler):
    """A page served as ``text/html; charset=rot13``, with an undeclared tracker."""

    def do_GET(self) -> None:
        if self.path != "/":
            self.send_error(404)
            return
        body = (
            b'<html><head><meta charset="base64">'
            b'<script src="https://tracker.example/t.js"></script></head>'
            b"<body><p>hello</p></body></html>"
        )
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=rot13")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def rot13_site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Rot13)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.mark.slow
@pytest.mark.parametrize("resume", [False, True], ids=["scan", "resume"])
def test_a_page_served_as_rot13_is_read_as_a_browser_reads_it(
    rot13_site: str, tmp_path: Path, linkguard_cmd: list[str], resume: bool
) -> None:
    out = tmp_path / "results.json"
    extra = ["--resume", str(tmp_path / "state.jsonl")] if resume else []
    command = [*linkguard_cmd, "scan", rot13_site, "--ignore-robots", "--quiet", "--format"]
    done = subprocess.run(
        [*command, "json", "--output", str(out), *extra],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in done.stderr
    assert done.returncode == 1, done.stderr  # the undeclared script, not a crash
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [(f["rule"], f["target"]) for f in data["findings"]] == [
        ("undeclared-script", "https://tracker.example/t.js")
    ]
    assert [p["error"] for p in data["pages"]] == [None]
