"""The tools the benchmark times: how each is installed, invoked and its output read.

Every HTTP tool crawls the same local server with external link checking off. linkguard
crawls as its users run it, with the site's policy (``--config <site>/linkguard.toml``, every
rule on): the policy's origin is the live site's, not the 127.0.0.1 URL crawled, so linkguard
reads the server as a mirror and reports each page under the policy's origin. What a tool
fetched is counted from the server's access log (the same measure for every tool); what the
tool itself reports is parsed from its own output as a cross-check. With ``--cpus``, every
tool's command runs under ``taskset -c LIST`` (see ``pinned``).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

LINKCHECKER_SPEC = "linkchecker==10.6.0"
LINKINATOR_SPEC = "linkinator@7.6.1"  # linkinator 8 needs Node 22; Debian 12 ships Node 18/20
LINKINATOR_CLI = Path("node_modules/linkinator/build/src/cli.js")
# LinkChecker's own default is maxrequestspersecond = 10: it waits 0.1-0.6 s between
# requests to one host. Unthrottled: the wait shrinks to microseconds, but only for a server
# that sends a "LinkChecker" header (ours does).
LINKCHECKER_SHIPPED_RC = "[checking]\n# as shipped: maxrequestspersecond left at its default, 10\n"
LINKCHECKER_UNTHROTTLED_RC = "[checking]\nmaxrequestspersecond=100000\n"
_SUMMARY = re.compile(r"(\d+) links? in (\d+) URLs? checked")


class Unavailable(Exception):
    """A tool could not be installed or found; the message says why."""


@dataclass(frozen=True)
class Context:
    """One run's inputs: the site, where it is served and where the tool's output goes."""

    site: Path
    url: str  # http://127.0.0.1:PORT/ (empty for the folder scan)
    out: Path  # the tool's report file
    pages: int  # HTML documents in the site
    work: Path  # bench/.work


@dataclass(frozen=True)
class Tool:
    """A tool under test: its command line and the reader of what it reports."""

    name: str
    http: bool  # crawls the server (else reads the folder)
    command: Callable[[Context], list[str]]
    writes_stdout: bool  # the report is the tool's standard output
    reported: Callable[[str, str], int]  # (report text, served URL) -> count it reports
    reported_means: str
    ok_exits: frozenset[int]
    version_argv: tuple[str, ...]  # prints the tool's version


# -- reading outputs -------------------------------------------------------------------------
def path_of(url: str) -> str:
    """The URL's path, without query or fragment: ``/leaving/`` for ``/leaving/?url=x``."""
    return urlsplit(url).path or "/"


def cpu_list(text: str) -> list[int]:
    """The CPUs a ``taskset -c`` list names, in order: ``"0"``, ``"0,1"``, ``"0-3,6"``."""
    cpus: list[int] = []
    for part in text.split(","):
        low, dash, high = part.strip().partition("-")
        if not low.isdigit() or (dash and not high.isdigit()):
            raise ValueError(f"not a CPU list: {text!r} (write e.g. 0 or 0,1 or 0-3)")
        first, last = int(low), int(high) if dash else int(low)
        if last < first:
            raise ValueError(f"not a CPU list: {text!r} ({part.strip()} runs backwards)")
        cpus += [cpu for cpu in range(first, last + 1) if cpu not in cpus]
    return cpus


def pinned(argv: list[str], cpus: str) -> list[str]:
    """``argv`` run under ``taskset -c cpus`` (its children inherit the affinity), or as it
    is when ``cpus`` is empty."""
    return ["taskset", "-c", cpus, *argv] if cpus else list(argv)


def linkguard_page_paths(text: str) -> set[str]:
    """Paths of the pages a linkguard results JSON lists as scanned (no error)."""
    data = json.loads(text)
    return {path_of(p["url"]) for p in data["pages"] if not p.get("error")}


def linkinator_page_paths(text: str, served: str) -> set[str]:
    """Paths of the served URLs that linkinator's ``--format json`` output checked with 200."""
    data = json.loads(text)
    return {
        path_of(link["url"])
        for link in data["links"]
        if link["url"].startswith(served) and link.get("status") == 200
    }


def linkchecker_summary(text: str) -> tuple[int, int]:
    """(links, URLs) from LinkChecker's closing "N links in M URLs checked" line."""
    found = _SUMMARY.findall(text)
    if not found:
        raise ValueError("no 'links in URLs checked' summary in LinkChecker's output")
    links, checked = found[-1]
    return int(links), int(checked)


def access_log_paths(lines: Iterable[str]) -> tuple[set[str], int]:
    """(paths answered 200, number of requests) from the server's ``URI STATUS BYTES`` lines."""
    paths = set()
    requests = 0
    for line in lines:
        uri, _, rest = line.partition(" ")
        if not uri:
            continue
        requests += 1
        if rest.split(" ", 1)[0] == "200":
            paths.add(path_of(uri))
    return paths, requests


# -- installing and finding the tools ---------------------------------------------------------
def linkguard_argv(repo: Path) -> list[str]:
    """linkguard from the repo's .venv, else beside this Python, else on PATH, else -m."""
    for candidate in (
        repo / ".venv" / "bin" / "linkguard",
        Path(sys.executable).parent / "linkguard",
    ):
        if candidate.exists():
            return [str(candidate)]
    found = shutil.which("linkguard")
    return [found] if found else [sys.executable, "-m", "linkguard"]


def compile_bytecode(linkguard: list[str]) -> str:
    """Compile the bytecode of the linkguard that ``linkguard`` (its argv) runs, where it is
    installed, as ``pip install`` does for a regular install; return that folder.

    An editable install is never compiled by pip, and a shell with PYTHONDONTWRITEBYTECODE
    set (as many containers have) never writes the cache either: every run then compiles
    linkguard's ~20,000 lines from source, in the CLI's process and again in the analysis
    pool's forkserver (~0.25 CPU-s a process), which no user with an ordinary
    install pays. Python reads an existing cache whatever that setting says."""
    script = Path(linkguard[0])
    beside = script.parent / "python"
    python = str(beside) if script.name == "linkguard" and beside.exists() else sys.executable
    where = subprocess.run(
        [python, "-c", "import linkguard, os; print(os.path.dirname(linkguard.__file__))"],
        capture_output=True, text=True, check=True, cwd=script.parent,  # not a checkout's
    ).stdout.strip()  # fmt: skip
    subprocess.run([python, "-m", "compileall", "-q", where], check=True)
    return where


def ensure_linkchecker(work: Path) -> Path:
    """LinkChecker in its own venv under ``work``, installed from PyPI on first use."""
    venv = work / "linkchecker-venv"
    binary = venv / "bin" / "linkchecker"
    if not binary.exists():
        print(f"bench: installing {LINKCHECKER_SPEC} into {venv} ...", file=sys.stderr)
        _run([sys.executable, "-m", "venv", str(venv)])
        _run([str(venv / "bin" / "pip"), "install", "-q", LINKCHECKER_SPEC])
    return binary


def ensure_linkinator(work: Path) -> tuple[str, Path]:
    """(node, linkinator's cli.js) under ``work``/node, installed from npm on first use."""
    node = shutil.which("node")
    if node is None:
        raise Unavailable("node is not installed (apt-get install nodejs npm)")
    prefix = work / "node"
    cli = prefix / LINKINATOR_CLI
    if not cli.exists():
        npm = shutil.which("npm")
        if npm is None:
            raise Unavailable("npm is not installed (apt-get install npm)")
        print(f"bench: installing {LINKINATOR_SPEC} into {prefix} ...", file=sys.stderr)
        prefix.mkdir(parents=True, exist_ok=True)
        _run([npm, "install", "--no-audit", "--no-fund", "--prefix", str(prefix), LINKINATOR_SPEC])
    return node, cli


def _run(argv: list[str]) -> None:
    result = subprocess.run(argv, capture_output=True, text=True)
    if result.returncode != 0:
        raise Unavailable(f"{' '.join(argv)} failed: {result.stderr.strip()[-500:]}")


def version_of(argv: list[str]) -> str:
    """The first line a ``--version`` command prints, or why it printed none."""
    try:
        result = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unknown ({exc})"
    lines = (result.stdout or result.stderr).strip().splitlines()
    return lines[0] if lines else "unknown"


# -- the tools ----------------------------------------------------------------------------------
def build_tools(repo: Path, work: Path, wanted: set[str]) -> tuple[dict[str, Tool], dict[str, str]]:
    """The wanted tools that could be made ready, and why each other one could not."""
    tools: dict[str, Tool] = {}
    missing: dict[str, str] = {}
    linkguard = linkguard_argv(repo)
    lg_version = (*linkguard, "--version")

    def crawl(ctx: Context) -> list[str]:
        # As users run it: the site's policy, every rule on. Its origin is the live site's,
        # so the 127.0.0.1 server is crawled as a mirror and pages are reported under the
        # origin. --max-pages overrides the policy's [crawl] max_pages (5,000).
        limit = 4 * ctx.pages + 1000  # pages + interstitial URLs, with room to spare
        return [
            *linkguard, "scan", ctx.url, "--config", str(ctx.site / "linkguard.toml"),
            "--format", "json", "--output", str(ctx.out), "--fail-on", "never", "--quiet",
            "--max-pages", str(limit),
        ]  # fmt: skip

    def folder(ctx: Context) -> list[str]:
        return [
            *linkguard, "scan", str(ctx.site), "--config", str(ctx.site / "linkguard.toml"),
            "--format", "json", "--output", str(ctx.out), "--fail-on", "never", "--quiet",
        ]  # fmt: skip

    def pages_in_results(text: str, served: str) -> int:
        return len(linkguard_page_paths(text))

    results = "pages in its results JSON"
    runnable = subprocess.run([*lg_version], capture_output=True, text=True)
    if runnable.returncode != 0:
        lines = (runnable.stderr or runnable.stdout).strip().splitlines()
        why = f"linkguard is not runnable yet: {lines[-1] if lines else runnable.returncode}"
        missing["linkguard"] = missing["linkguard-folder"] = why
    tools["linkguard"] = Tool(
        "linkguard", True, crawl, False, pages_in_results, results, frozenset({0}), lg_version
    )
    tools["linkguard-folder"] = Tool(
        "linkguard-folder", False, folder, False, pages_in_results, results, frozenset({0}),
        lg_version,
    )  # fmt: skip
    if "linkinator" in wanted:
        try:
            tools["linkinator"] = _linkinator(*ensure_linkinator(work))
        except Unavailable as exc:
            missing["linkinator"] = str(exc)
    variants = {"linkchecker": LINKCHECKER_SHIPPED_RC,
                "linkchecker-unthrottled": LINKCHECKER_UNTHROTTLED_RC}  # fmt: skip
    if wanted & set(variants):
        try:
            binary = ensure_linkchecker(work)
        except Unavailable as exc:
            missing.update(dict.fromkeys(variants, str(exc)))
        else:
            for name, rc_text in variants.items():
                rc = work / f"{name}.rc"
                rc.write_text(rc_text)
                tools[name] = _linkchecker(name, binary, rc)
    return {k: v for k, v in tools.items() if k in wanted and k not in missing}, missing


def _linkinator(node: str, cli: Path) -> Tool:
    def command(ctx: Context) -> list[str]:
        # Only the served origin is checked: every other URL matches --skip and is not fetched.
        own = re.escape(ctx.url)
        return [node, str(cli), ctx.url, "--recurse", "--skip", f"^(?!{own})", "--format", "json"]

    def reported(text: str, served: str) -> int:
        return len(linkinator_page_paths(text, served))

    means = "site URLs answered 200 in its JSON, query ignored"
    return Tool(
        "linkinator", True, command, True, reported, means, frozenset({0, 1}),
        (node, str(cli), "--version"),
    )  # fmt: skip


def _linkchecker(name: str, binary: Path, rc: Path) -> Tool:
    def command(ctx: Context) -> list[str]:
        # Externals are not checked by default (no --check-extern); recursion is unlimited.
        return [str(binary), "--no-status", f"--config={rc}", ctx.url]

    def reported(text: str, served: str) -> int:
        return linkchecker_summary(text)[1]

    means = "URLs checked, from its summary line"
    return Tool(
        name, True, command, True, reported, means, frozenset({0, 1}), (str(binary), "--version")
    )
