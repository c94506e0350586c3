"""Drupal's External Links module on a page: its settings, and whether its script is there.

The module's settings (``drupalSettings.extlink`` in the ``drupal-settings-json`` script) are
data: they decorate nothing. Links get their class, icon and label only when the module's
script ``extlink.js`` runs, so the settings alone are no notice (ARCHITECTURE.md, «Exit
notices»). A page shows that the script is loaded in one of three ways, and linkguard
credits the module only when it does:

- a ``<script src>`` whose file is ``extlink.js`` (or ``extlink.min.js``): Drupal without
  JavaScript aggregation writes one script per file;
- a Drupal aggregate (a file named ``js_<hash>.js``, in ``/sites/default/files/js/`` or
  wherever the site's files live) whose ``include`` query parameter names the library
  ``extlink/drupal.extlink`` (Drupal 10.1 and later write the page's libraries there);
- an aggregate without ``include`` (Drupal before 10.1, whose aggregate names are hashes
  only) on a page whose ``drupalSettings.ajaxPageState.libraries`` names the library:
  Drupal lists there exactly the libraries whose files it put on the page.

A script counts only where it runs (the readers ask): not inside ``<noscript>``, and with a
JavaScript ``type``. The library list is plain (``core/drupal,extlink/drupal.extlink``) or, from
Drupal 10.1, compressed (zlib, then URL-safe base64 without padding); the compressed form is
read up to ``MAX_LIBRARIES`` bytes, so a hostile value costs no more than that.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import IntEnum
from urllib.parse import parse_qsl

EXTLINK_LIBRARY = "extlink/drupal.extlink"
MAX_LIBRARIES = 65_536  # bytes of a decompressed library list that are read
_EXTLINK_FILES = frozenset({"extlink.js", "extlink.min.js"})
_AGGREGATE = re.compile(r"js_[A-Za-z0-9_-]+\.js")


@dataclass(frozen=True, slots=True)
class DrupalExtlink:
    """Drupal extlink module settings (``drupalSettings.extlink``), read from the page, and
    whether the page loads the module's script (``loaded``): only then does it decorate."""

    ext_class: str = "ext"
    label: str = "(link is external)"
    subdomains: bool = True
    exclude: str = ""
    include: str = ""
    alert: bool = False
    listed: bool = False  # ajaxPageState.libraries names the module's library
    loaded: bool = False  # the page loads the module's script (see the module docstring)

    @classmethod
    def from_settings(cls, data: Mapping[str, object], *, listed: bool = False) -> DrupalExtlink:
        """The settings the module's JavaScript would apply, defaults where a key is absent."""

        def text(key: str, default: str = "") -> str:
            value = data.get(key, default)
            return value if isinstance(value, str) else default

        def flag(key: str, default: bool) -> bool:
            value = data.get(key, default)
            return value not in (False, 0, "0", "", None)

        ext_class = text("extClass", "ext")
        return cls(
            ext_class="" if ext_class == "0" else ext_class,
            label=text("extLabel", "(link is external)"),
            subdomains=flag("extSubdomains", True),
            exclude=text("extExclude"),
            include=text("extInclude"),
            alert=flag("extAlert", False),
            listed=listed,
        )


class ScriptSign(IntEnum):
    """What the page's scripts say about the module's script, weakest first."""

    NONE = 0
    AGGREGATE = 1  # a Drupal aggregate whose contents it does not name
    EXTLINK = 2  # the module's script, or an aggregate that names its library


def drupal_settings(body: str) -> DrupalExtlink | None:
    """The extlink settings in a ``drupal-settings-json`` script, or None if it has none."""
    try:
        settings = json.loads(body)
    except ValueError:
        return None
    if not isinstance(settings, dict):
        return None
    extlink = settings.get("extlink")
    if not isinstance(extlink, dict):
        return None
    state = settings.get("ajaxPageState")
    libraries = state.get("libraries") if isinstance(state, dict) else None
    listed = isinstance(libraries, str) and names_extlink(libraries)
    return DrupalExtlink.from_settings(extlink, listed=listed)


def script_sign(src: str) -> ScriptSign:
    """What a script the page runs, loaded from ``src``, says about the module's script."""
    path, _, query = src.partition("#")[0].partition("?")
    name = path.rpartition("/")[2].strip().lower()
    if name in _EXTLINK_FILES:
        return ScriptSign.EXTLINK
    if _AGGREGATE.fullmatch(name) is None:
        return ScriptSign.NONE
    include = next((v for k, v in parse_qsl(query) if k == "include"), None)
    if include is None:
        return ScriptSign.AGGREGATE
    return ScriptSign.EXTLINK if names_extlink(include) else ScriptSign.NONE


def with_scripts(settings: DrupalExtlink | None, sign: ScriptSign) -> DrupalExtlink | None:
    """The page's settings, ``loaded`` when its scripts show the module's script is there."""
    if settings is None:
        return None
    loaded = sign is ScriptSign.EXTLINK or (sign is ScriptSign.AGGREGATE and settings.listed)
    return replace(settings, loaded=loaded)


def names_extlink(libraries: str) -> bool:
    """Whether a Drupal library list, plain or compressed, names the module's library."""
    if "/" not in libraries:
        libraries = _uncompressed(libraries)
    return EXTLINK_LIBRARY in (name.strip() for name in libraries.split(","))


def _uncompressed(value: str) -> str:
    """A list compressed as Drupal compresses it (zlib, URL-safe base64, no padding), read
    up to ``MAX_LIBRARIES`` bytes; "" when it is not one."""
    try:
        data = base64.urlsafe_b64decode(value.strip() + "=" * (-len(value.strip()) % 4))
        return zlib.decompressobj().decompress(data, MAX_LIBRARIES).decode("utf-8", "replace")
    except (binascii.Error, ValueError, zlib.error):
        return ""
