"""Template sources read in place: the CI gate judges a footer partial before it is deployed.

Each template file becomes one page whose URL is the file's path under the site origin and
whose ``file`` is the path itself, so findings point at ``templates/footer.html:12``.
Template syntax is masked first (``linkguard.extract.masking``), keeping every line number.
"""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Iterable
from fnmatch import fnmatchcase
from pathlib import Path

from linkguard.classify import urls
from linkguard.errors import ConfigError
from linkguard.extract import decode_html
from linkguard.extract.masking import engine_for, mask_templates
from linkguard.model import FailedPage, FetchedPage
from linkguard.sources import Visit
from linkguard.sources._files import FileSource, url_path

TEMPLATE_SUFFIXES = frozenset(
    {
        ".html",
        ".htm",
        ".xhtml",
        ".shtml",
        ".j2",
        ".jinja",
        ".jinja2",
        ".njk",
        ".twig",
        ".liquid",
        ".hbs",
        ".handlebars",
        ".mustache",
        ".erb",
        ".ejs",
        ".php",
        ".tmpl",
        ".tpl",
        ".gohtml",
        ".djhtml",
    }
)
_SKIP_DIRS = frozenset({".git", "node_modules", ".venv", "venv", "__pycache__", "vendor"})


def template_files(
    root: Path, patterns: Iterable[str] = (), exclude: Iterable[str] = ()
) -> list[Path]:
    """Template files under ``root``: matching ``patterns`` (globs relative to root) when
    given, else every file with a template suffix; sorted, minus ``exclude`` globs."""
    patterns, exclude = tuple(patterns), tuple(exclude)
    if patterns:
        found = {p for pattern in patterns for p in root.glob(pattern) if p.is_file()}
    else:
        found = {
            p
            for p in root.rglob("*")
            if p.suffix.lower() in TEMPLATE_SUFFIXES
            and p.is_file()
            and not _SKIP_DIRS.intersection(p.relative_to(root).parts)
        }
    rel = {p: p.relative_to(root).as_posix() for p in found}
    return sorted(p for p in found if not any(fnmatchcase(rel[p], g) for g in exclude))


def changed_since(root: Path, revision: str) -> set[Path]:
    """Files under ``root`` changed since a git revision (committed, staged, unstaged or new)."""

    def git(*args: str) -> list[str]:
        try:
            proc = subprocess.run(
                ["git", *args], cwd=root, capture_output=True, text=True, check=True, timeout=60
            )
        except FileNotFoundError as exc:
            raise ConfigError("--changed-since needs git, which is not installed") from exc
        except subprocess.CalledProcessError as exc:
            raise ConfigError(
                f"--changed-since {revision}: git said: {exc.stderr.strip()}",
                tip="pass a revision that exists, e.g. origin/main",
            ) from exc
        return [line for line in proc.stdout.splitlines() if line]

    names = git("diff", "--name-only", "--relative", revision, "--", ".")
    names += git("ls-files", "--others", "--exclude-standard", "--", ".")
    return {(root / name).resolve() for name in names}


class TemplateSource(FileSource):
    """Reads template files, masks their syntax, and hands them on as pages."""

    def __init__(
        self,
        root: Path,
        origin: str,
        files: list[Path],
        *,
        max_bytes: int,
        engine: str | None = None,  # [templates] engine: for files whose suffix names none
    ) -> None:
        super().__init__()
        self.engine = engine
        self.root = root
        self.origin = origin
        self.files = files
        self.max_bytes = max_bytes
        self._remaining = len(files)

    async def run(self, visit: Visit) -> None:
        for path in self.files:
            if self._stopped:
                return
            self._remaining -= 1
            await visit(self._read(path))
            await asyncio.sleep(0)

    def _read(self, path: Path) -> FetchedPage | FailedPage:
        rel = path.relative_to(self.root).as_posix()
        url = urls.with_origin(url_path(rel), self.origin)
        try:
            with path.open("rb") as handle:
                raw = handle.read(self.max_bytes + 1)
        except OSError as exc:
            return FailedPage(url=url, depth=0, error=f"cannot read {rel}: {exc.strerror or exc}")
        truncated = len(raw) > self.max_bytes  # judged up to the cap, and reported as cut
        text = decode_html(raw[: self.max_bytes])
        masked = mask_templates(text, engine_for(path.name, self.engine))
        return FetchedPage(
            url=url,
            final_url=url,
            status=200,
            depth=0,
            body=masked.encode("utf-8"),
            charset="utf-8",
            file=rel,
            template=True,
            truncated=truncated,
        )
