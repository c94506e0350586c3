"""What browser visits left behind (``scan --browser``): cookies and storage keys, never their
values. Part of the results (``model.ScanResult``), which imports them from here."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class Cookie:
    """A cookie a visit left in the browser (``scan --browser``), never its value: results'
    ``cookies`` fold them by (domain, name, path), naming the first page by URL."""

    name: str
    domain: str  # as the browser keeps it: ".example.com" also covers its subdomains
    path: str
    party: str  # first | third, by the site's first-party scope
    session: bool  # gone when the browser closes
    lifetime: int | None  # seconds from the visit to its expiry, to the minute; None: session
    secure: bool
    http_only: bool
    same_site: str  # Strict | Lax | None, as Chromium reports it
    set_by: str = ""  # the URL of the Set-Cookie response, or of the script that wrote it
    set_how: str = ""  # "header" | "script" | "" (not seen being set)
    declared_by: str | None = None  # the [[third_party]] or [[cookie]] entry that covers it
    page: str = ""
    pages: int = 1
    phase: str = "before"  # set before consent (no click), after "reject" or after "accept"


@dataclass(frozen=True, slots=True, kw_only=True)
class StorageItem:
    """A localStorage or sessionStorage key (never its value) a frame held after a visit."""

    origin: str  # the frame's origin
    area: str  # local | session
    key: str
    size: int  # characters of the key and its value
    party: str  # first | third
    page: str = ""
    pages: int = 1
    phase: str = "before"  # as Cookie.phase
