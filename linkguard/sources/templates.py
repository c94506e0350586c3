"""Template sources read in place: the CI gate judges a footer partial before it is deployed.

Each template file becomes one page whose URL is the file's path under the site origin and
whose ``file`` is the path itself, so findings point at ``templates/footer.html:12``.
Template syntax is masked first (``linkguard.extract.masking``), keeping every line number.
"""

from __future__ import annotations

import asyncio
import functools
import os
import re
import subprocess
from collections.abc import Iterable
from fnmatch import fnmatchcase
from pathlib import Path

from linkguard._localfile import Unreadable, read_capped, shown_name
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
    given, else every file with a template suffix; sorted, minus ``exclude`` globs.

    Where ``root`` is in a git work tree, only the files git would commit are candidates
    (:func:`git_listed`): a built ``_site/`` or a vendored folder that ``.gitignore`` names
    is not judged as if it were the site's templates."""
    patterns, exclude = tuple(patterns), tuple(exclude)
    listed = git_listed(root)
    if patterns:
        found = {p for pattern in patterns for p in root.glob(pattern) if p.is_file()}
        if listed is not None:
            found = {p for p in found if p.relative_to(root).as_posix() in listed}
    else:
        candidates = root.rglob("*") if listed is None else (root / name for name in listed)
        found = {
            p
            for p in candidates
            if p.suffix.lower() in TEMPLATE_SUFFIXES
            and not _SKIP_DIRS.intersection(p.relative_to(root).parts)
            and p.is_file()
        }
    rel = {p: p.relative_to(root).as_posix() for p in found}
    return sorted(p for p in found if not any(fnmatchcase(rel[p], g) for g in exclude))


def git_listed(root: Path) -> frozenset[str] | None:
    """The files under ``root`` that git tracks or would add (``git ls-files --cached
    --others --exclude-standard``: ``.gitignore``, ``.git/info/exclude`` and the user's
    excludes file honoured), as paths relative to ``root``; None where git cannot say
    (no git, not a work tree, a repository git refuses to read) or where ``root`` is
    itself ignored, as a build folder named on purpose is: the folder is then walked."""
    if work_tree_of(root) is None:
        return None
    ignored = _git_answer(root, "check-ignore", "-q", "--", ".")
    if ignored is not None:  # exit code 0: the folder itself is ignored
        return None
    names = _git_answer(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    return None if names is None else frozenset(names)


def work_tree_of(folder: Path) -> tuple[str, str] | None:
    """Where ``folder`` sits in a git work tree: the tree's top level (absolute) and the
    folder's path from it (POSIX, ``""`` at the top), as git itself says
    (``rev-parse --show-toplevel --show-prefix``, symbolic links resolved the way git
    resolves them); None when it is in none or git cannot say."""
    if not folder.is_dir():
        return None
    found = _git_answer(folder, "rev-parse", "--show-toplevel", "--show-prefix", lines=True)
    if found is None or not found or not found[0]:
        return None
    prefix = found[1] if len(found) > 1 else ""
    return found[0], prefix.rstrip("/")


def _git_answer(cwd: Path, *args: str, lines: bool = False) -> list[str] | None:
    """git's answer in ``cwd`` (NUL-separated names, or lines), None when git is missing,
    fails or takes too long: callers then do without it."""
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode != 0:
        return None
    if lines:
        return [os.fsdecode(line) for line in proc.stdout.split(b"\n")[:-1]]
    return [os.fsdecode(name) for name in proc.stdout.split(b"\0") if name]


def changed_since(root: Path, revision: str) -> set[Path]:
    """Files under ``root`` changed since a git revision (committed, staged, unstaged or new).

    "Since" is since the branch left the revision (``REV...HEAD``, their merge base), as a
    pull request's own diff is: once main moves on, the files main changed are not the
    branch's, and are not judged as if they were.

    The revision is checked before git reads it: one that starts with ``-`` would be an
    option (``--output=FILE`` writes a file), and one that names no commit is refused with
    a clear error. File names are read NUL-separated (``-z``), as git stores them, never in
    the quoted form it prints by default (``"templates/foot\\303\\251r.html"``).
    """
    commit = _merge_base(root, revision, _commit(root, revision))
    diff = ["diff", "--name-only", "-z", "--no-ext-diff", "--no-textconv", "--relative"]
    names = _git(root, revision, *diff, *_end_of_options(), commit, "--", ".")
    names += _git(root, revision, "ls-files", "-z", "--others", "--exclude-standard", "--", ".")
    return {(root / name).resolve() for name in names}


def _merge_base(root: Path, revision: str, commit: str) -> str:
    """Where HEAD's history left ``commit`` (``git merge-base``); ``commit`` itself when the
    two share no history."""
    found = _git(root, revision, "merge-base", commit, "HEAD", missing_ok=True)
    return found[0] if len(found) == 1 else commit


def _commit(root: Path, revision: str) -> str:
    """The full hash of the commit ``revision`` names; a ConfigError when it names none."""
    tip = "pass a branch, tag or commit, e.g. origin/main"
    if not revision or revision.startswith("-"):
        raise ConfigError(
            f"--changed-since {revision!r}: a revision cannot be empty or start with '-'",
            tip=tip,
        )
    verify = ("rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    found = _git(root, revision, *verify, missing_ok=True)
    if len(found) != 1:
        raise ConfigError(f"--changed-since {revision!r}: no such commit in {root}", tip=tip)
    return found[0]


def _git(root: Path, revision: str, *args: str, missing_ok: bool = False) -> list[str]:
    """git's output in ``root``, split on NUL (``-z``) or on line ends, decoded as Python
    decodes names from the file system (so they compare equal to its paths). Exit code 1
    is an empty answer when ``missing_ok`` (``rev-parse --verify --quiet``)."""
    try:
        proc = subprocess.run(["git", *args], cwd=root, capture_output=True, timeout=60)
    except FileNotFoundError as exc:
        raise ConfigError("--changed-since needs git, which is not installed") from exc
    except subprocess.TimeoutExpired as exc:
        raise ConfigError(f"--changed-since {revision!r}: git answered nothing in 60 s") from exc
    if proc.returncode == 1 and missing_ok:
        return []
    if proc.returncode != 0:
        said = os.fsdecode(proc.stderr).strip().splitlines() or [f"exit code {proc.returncode}"]
        raise ConfigError(
            f"--changed-since {revision!r}: git said: {said[0]!r}",
            tip="run it in a git checkout where the revision was fetched (fetch-depth: 0)",
        )
    separator = b"\0" if "-z" in args else b"\n"
    return [os.fsdecode(name) for name in proc.stdout.split(separator) if name]


@functools.cache
def _end_of_options() -> tuple[str, ...]:
    """``--end-of-options`` where git knows it (2.24 and later), so that nothing after it
    is read as an option; older gits rely on ``_commit`` having checked the revision."""
    try:
        proc = subprocess.run(["git", "--version"], capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return ()
    found = re.search(rb"(\d+)\.(\d+)", proc.stdout)
    version = (int(found[1]), int(found[2])) if found else (0, 0)
    return ("--end-of-options",) if version >= (2, 24) else ()


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
        url = urls.with_origin(url_path(rel), self.origin)  # the name's own bytes, encoded
        rel = shown_name(rel)
        try:  # a regular file inside the folder only, never blocking (a FIFO), capped
            raw, truncated = read_capped(str(path), str(self.root), self.max_bytes)
        except Unreadable as exc:
            return FailedPage(url=url, depth=0, error=f"cannot read {rel}: {exc}")
        text = decode_html(raw)  # judged up to the cap, and reported as cut
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
