"""Finding the system Chromium and Playwright, and preparing a fresh browser profile.

Playwright's own browser download is never used (it fails on locked-down machines): the
Chromium on the machine is launched through ``executable_path``. Each visit gets a fresh
persistent profile whose ``Default/Preferences`` allows third-party cookies: Debian's
Chromium blocks them by default, in fresh and persistent contexts alike, and neither
feature switches nor the DevTools cookie controls change that; the profile preference
``{"profile": {"cookie_controls_mode": 0}}`` written before launch does. Without it, a
cross-site frame's cookies would silently be missing from every visit.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from linkguard.errors import ConfigError

ENV_CHROMIUM = "LINKGUARD_CHROMIUM"
_ON_PATH = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
INSTALL_PLAYWRIGHT = "pip install '.[browser]'  (from the linkguard checkout)"
INSTALL_CHROMIUM = "apt-get install chromium"
# What Chromium is told a visitor's screen is: a common laptop, and a small phone.
VIEWPORTS = {
    "desktop": {"viewport": {"width": 1366, "height": 768}},
    "mobile": {
        "viewport": {"width": 375, "height": 812},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 3,
    },
}


def require_playwright() -> None:
    """Raise a ConfigError naming the install command when Playwright is not installed."""
    try:
        import playwright.async_api  # noqa: F401  (only whether it imports)
    except ImportError:
        raise ConfigError(
            "browser mode needs Playwright for Python, which is not installed",
            tip=f"install it with: {INSTALL_PLAYWRIGHT}",
        ) from None


def find_chromium(explicit: str | None) -> str:
    """The Chromium to launch: ``--chromium PATH``, else ``$LINKGUARD_CHROMIUM``, else the
    first of chromium, chromium-browser, google-chrome on PATH; a ConfigError naming the
    install command when there is none."""
    for given, where in ((explicit, "--chromium"), (os.environ.get(ENV_CHROMIUM), ENV_CHROMIUM)):
        if not given:
            continue
        found = shutil.which(given)
        if found is None:
            raise ConfigError(
                f"{where}: {given} is not an executable Chromium",
                tip=f"pass the path of a Chromium binary, or install one: {INSTALL_CHROMIUM}",
            )
        return found
    for name in _ON_PATH:
        found = shutil.which(name)
        if found is not None:
            return found
    raise ConfigError(
        "browser mode needs Chromium, and none was found (--chromium, "
        f"${ENV_CHROMIUM}, or {', '.join(_ON_PATH[:3])} on PATH)",
        tip=f"install it with: {INSTALL_CHROMIUM}",
    )


# Chromium keeps a Unix socket under $TMPDIR, and a socket's name holds 107 bytes: under a
# deep TMPDIR (a CI job's, a test's) it cannot start at all (measured: a 95-byte TMPDIR).
_SHORT_TMP = 48


def chromium_env() -> dict[str, str | float | bool]:
    """The environment to start Chromium in: the caller's, with a short TMPDIR if the
    caller's temporary directory is too deep for Chromium's socket."""
    env: dict[str, str | float | bool] = dict(os.environ)
    if len(tempfile.gettempdir()) > _SHORT_TMP and os.path.isdir("/tmp"):
        env["TMPDIR"] = "/tmp"
    return env


def prepare_profile(folder: Path) -> Path:
    """A fresh Chromium user data directory in ``folder`` that accepts third-party cookies."""
    default = folder / "Default"
    default.mkdir(parents=True, exist_ok=True)
    preferences = {"profile": {"cookie_controls_mode": 0}}
    (default / "Preferences").write_text(json.dumps(preferences), encoding="utf-8")
    return folder
