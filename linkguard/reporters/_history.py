"""What every report says of a run's history (``--history``), and the HTML report's trend
charts, prepared here so the template only prints numbers.

The sentences (``since_last``) are the console's, the Markdown's and the HTML's alike. The
charts are inline SVG drawn from the results' ``history.trend`` (the target's last runs,
oldest first): exit-notice coverage as a line, third parties by status and findings by
severity as stacked bars. Each bar and point carries a ``<title>`` with its numbers and
each chart an ``aria-label``; colours are SVG presentation attributes (no ``style``, no
script: the report's Content-Security-Policy allows neither).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from linkguard.model import Finding, ScanResult
from linkguard.model_history import FixedFinding, RunHistory, TrendPoint

WIDTH, HEIGHT = 240, 80  # a chart's drawing area, in SVG units
FIXED_SHOWN = 50
OLDEST_SHOWN = 10
SEVERITY_COLOURS = (("error", "#b42318"), ("warning", "#b54708"), ("info", "#175cd3"))
STATUS_COLOURS = (("undeclared", "#b42318"), ("declared", "#067647"), ("linked", "#667085"))


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun if count == 1 else noun + 's'}"


def day(stamp: str | None) -> str:
    """``2026-11-24`` of a run's ISO 8601 start time."""
    return (stamp or "")[:10]


def since_last(history: RunHistory) -> str:
    """One sentence: ``3 new findings, 1 fixed; 2 new third-party hosts since the last run on
    2026-11-24 (run 6)``, or that this is the target's first recorded run."""
    if history.previous_run is None:
        return f"first run recorded for this target (run {history.run}): nothing to compare yet"
    parts = [
        f"{_plural(len(history.new_findings), 'new finding')}, "
        f"{len(history.fixed_findings):,} fixed",
        f"{_plural(len(history.new_third_parties), 'new third-party host')}",
    ]
    if history.gone_third_parties:
        parts.append(f"{len(history.gone_third_parties):,} gone")
    return (
        f"{'; '.join(parts)} since the last run on {day(history.previous_started)} "
        f"(run {history.previous_run})"
    )


def open_since(result: ScanResult) -> Callable[[Iterable[Finding]], str]:
    """For findings (a problem's, or one), the day the longest open of them was first
    seen: "" without history, and for findings new in this run (its own start is no news)."""
    history = result.history
    started = result.run.started

    def since(findings: Iterable[Finding]) -> str:
        if history is None:
            return ""
        seen = [history.first_seen.get(f.fingerprint, "") for f in findings]
        earlier = [stamp for stamp in seen if stamp and stamp < started]
        return day(min(earlier)) if earlier else ""

    return since


def markdown_facts(result: ScanResult, code: Callable[[str], str]) -> list[str]:
    """The Markdown summary's history bullets; ``code`` shows crawled text inertly."""
    history = result.history
    if history is None:
        return []
    facts = [f"- History: {since_last(history)}."]
    hosts = history.new_third_parties
    if history.previous_run is not None and hosts:
        listed = ", ".join(code(host) for host in hosts[:10])
        more = f" and {len(hosts) - 10:,} more" if len(hosts) > 10 else ""
        facts.append(f"- New third-party hosts since {day(history.previous_started)}: "
                     f"{listed}{more}.")  # fmt: skip
    opened = [history.first_seen.get(f.fingerprint, "") for f in result.findings
              if f.suppressed_by is None]  # fmt: skip
    if any(opened):
        oldest = min(stamp for stamp in opened if stamp)
        facts.append(f"- Oldest open finding: open since {day(oldest)}.")
    return facts


@dataclass(frozen=True, slots=True)
class Segment:
    """One coloured part of a bar (or one point of the line), in SVG units."""

    x: float
    y: float
    width: float
    height: float
    fill: str
    title: str


@dataclass(frozen=True, slots=True)
class Chart:
    id: str
    title: str
    label: str  # the chart in words, for screen readers
    segments: tuple[Segment, ...]
    legend: tuple[tuple[str, str, int], ...]  # (name, colour, value in this run)
    line: str = ""  # the coverage line's points ("x,y x,y ...")
    ticks: tuple[tuple[float, str], ...] = ()  # (x, run label) under the bars


@dataclass(frozen=True, slots=True)
class OpenFinding:
    finding: Finding
    since: str


@dataclass(frozen=True, slots=True)
class HistoryView:
    history: RunHistory
    since_last: str
    new_findings: tuple[Finding, ...]
    fixed: tuple[FixedFinding, ...]
    fixed_more: int
    oldest: tuple[OpenFinding, ...]  # the longest-open findings
    charts: tuple[Chart, ...]
    width: int = WIDTH
    height: int = HEIGHT


def history_view(result: ScanResult) -> HistoryView | None:
    """What the HTML report's history section shows; None without a history section."""
    history = result.history
    if history is None:
        return None
    active = [f for f in result.findings if f.suppressed_by is None]
    new = set(history.new_findings)
    open_since = sorted(
        (OpenFinding(f, history.first_seen[f.fingerprint]) for f in active
         if history.first_seen.get(f.fingerprint)),
        key=lambda o: (o.since, o.finding.sort_key()),
    )  # fmt: skip
    fixed = sorted(history.fixed_findings, key=lambda f: (f.page, f.rule, f.target))
    return HistoryView(
        history=history,
        since_last=since_last(history),
        new_findings=tuple(f for f in active if f.fingerprint in new),
        fixed=tuple(fixed[:FIXED_SHOWN]),
        fixed_more=max(0, len(fixed) - FIXED_SHOWN),
        oldest=tuple(o for o in open_since[:OLDEST_SHOWN] if o.since < result.run.started),
        charts=(
            coverage_chart(history.trend),
            stacked_chart("third-parties", "Third parties by status", history.trend,
                          lambda p: p.third_parties, STATUS_COLOURS),
            stacked_chart("findings", "Findings by severity", history.trend,
                          lambda p: p.findings, SEVERITY_COLOURS),
        ),
    )  # fmt: skip


def _cut(point: TrendPoint) -> str:
    """Said of a run that could not vouch for the site: its dip is not the site's."""
    return "" if point.complete else " (incomplete run)"


def _slots(points: tuple[TrendPoint, ...]) -> float:
    return WIDTH / max(1, len(points))


def _ticks(points: tuple[TrendPoint, ...]) -> tuple[tuple[float, str], ...]:
    slot = _slots(points)
    return tuple((round(slot * i + slot / 2, 2), str(p.run)) for i, p in enumerate(points))


def coverage_chart(points: tuple[TrendPoint, ...]) -> Chart:
    """Exit-notice coverage (noticed / needing a notice) per run, as a line of points; a
    run with no link that needs a notice has no point."""
    slot = _slots(points)
    dots = []
    for i, p in enumerate(points):
        if p.needing_notice <= 0:
            continue
        share = min(1.0, p.noticed / p.needing_notice)
        dots.append(
            Segment(
                x=round(slot * i + slot / 2, 2),
                y=round(HEIGHT - share * HEIGHT, 2),
                width=3,
                height=3,
                fill="#175cd3",
                title=f"run {p.run} ({day(p.started)}): {share:.1%} "
                f"({p.noticed:,} of {p.needing_notice:,} links){_cut(p)}",
            )
        )
    last = points[-1] if points else None
    now = f"{last.noticed / last.needing_notice:.1%}" if last and last.needing_notice else "n/a"
    return Chart(
        id="coverage",
        title="Exit-notice coverage",
        label=f"Exit-notice coverage over the last {_plural(len(points), 'run')}; now {now}",
        segments=tuple(dots),
        legend=(),
        line=" ".join(f"{d.x},{d.y}" for d in dots),
        ticks=_ticks(points),
    )


def stacked_chart(
    chart_id: str,
    title: str,
    points: tuple[TrendPoint, ...],
    counts_of: Callable[[TrendPoint], dict[str, int]],
    colours: tuple[tuple[str, str], ...],
) -> Chart:
    """One stacked bar per run, its parts in ``colours``' order from the bottom, scaled to
    the largest total."""
    get = counts_of
    totals = [sum(int(get(p).get(name, 0)) for name, _ in colours) for p in points]
    top = max(totals, default=0) or 1
    slot = _slots(points)
    bar = max(1.0, slot * 0.6)
    segments = []
    for i, p in enumerate(points):
        y = float(HEIGHT)
        counts = get(p)
        for name, colour in colours:
            value = int(counts.get(name, 0))
            if not value:
                continue
            height = value / top * HEIGHT
            y -= height
            segments.append(
                Segment(
                    x=round(slot * i + (slot - bar) / 2, 2),
                    y=round(y, 2),
                    width=round(bar, 2),
                    height=round(height, 2),
                    fill=colour,
                    title=f"run {p.run} ({day(p.started)}): {value:,} {name}{_cut(p)}",
                )
            )
    now = get(points[-1]) if points else {}
    legend = tuple((name, colour, int(now.get(name, 0))) for name, colour in colours)
    words = ", ".join(f"{value:,} {name}" for name, _, value in legend)
    return Chart(
        id=chart_id,
        title=title,
        label=f"{title} over the last {_plural(len(points), 'run')}; now {words}",
        segments=tuple(segments),
        legend=legend,
        ticks=_ticks(points),
    )
