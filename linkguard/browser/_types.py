"""What one browser visit observed: plain values, built by keyword, compared in tests."""

from __future__ import annotations

from dataclasses import dataclass

from linkguard.model import Cookie, StorageItem


@dataclass(frozen=True, slots=True, kw_only=True)
class BrowserRequest:
    """One request the visited page, one of its frames or one of its workers made."""

    url: str
    resource_type: str  # Chromium's: document, script, stylesheet, image, font, fetch, xhr,
    # ping (sendBeacon), websocket, media, other ...
    method: str
    frame: str  # the URL of the frame it was made from ("" for a worker's own)
    status: int | None = None  # None: no answer (blocked, failed, or still pending at close)
    redirects: tuple[str, ...] = ()  # the URLs that redirected to this one, first first
    chain: tuple[str, ...] = ()  # who loaded it, nearest first: script <- tag manager <- page


@dataclass(frozen=True, slots=True, kw_only=True)
class Visit:
    """A page visited in a fresh browser profile, after load and the dwell."""

    url: str  # the page as the crawl found it
    # "before": no interaction (no consent given); "reject" / "accept": what followed a click
    # on the consent banner's button, only (what came before it is the "before" visit's)
    phase: str = "before"
    final_url: str = ""  # where the browser ended up
    error: str | None = None  # the page could not be loaded (what was seen is still kept)
    requests: tuple[BrowserRequest, ...] = ()
    cookies: tuple[Cookie, ...] = ()  # declared_by is left to the judging
    storage: tuple[StorageItem, ...] = ()
    # phase "before" only: the page as served (its bytes, as the browser received them) and
    # as rendered after the dwell (the DOM serialised), for what scripts added or changed
    document: bytes = b""
    rendered: str = ""
