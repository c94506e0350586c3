"""Files shipped with linkguard: found in the installed wheel, or in a source checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent  # the linkguard package


def shipped(name: str) -> Path:
    """``templates`` or ``sample_sites``: inside the package when installed from a wheel, at the
    top of the checkout when running from source (an editable install)."""
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"linkguard's {name} folder is missing from this installation")


def sample_site(name: str) -> Path:
    return shipped("sample_sites") / name


def sample_site_names() -> list[str]:
    return sorted(
        p.name
        for p in shipped("sample_sites").iterdir()
        if p.is_dir() and not p.name.startswith(("_", "."))
    )
