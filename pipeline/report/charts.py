"""Charts: small inline SVG (histograms with limits marked, horizontal bars).

Plain SVG text, no script: each bar has a ``<title>`` (shown on hover), each chart a
``<title>`` and an ``aria-label``; numbers are rounded so output is deterministic.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

WIDTH = 560
HEIGHT = 200
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 44, 12, 14, 34


@dataclass(frozen=True, slots=True)
class Marker:
    """A vertical line at ``value`` on a histogram's axis, labelled."""

    value: float
    label: str
    css: str  # class: "limit" (red) or "target" (amber)


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def histogram(
    values: Mapping[float, int],
    *,
    bin_width: float,
    low: float,
    high: float,
    title: str,
    unit: str,
    markers: Sequence[Marker] = (),
) -> str:
    """``values`` (value -> how many) in bins of ``bin_width`` from ``low``; the last
    bin takes everything from ``high`` up (labelled "≥")."""
    bins = max(1, math.ceil((high - low) / bin_width))
    counts = [0] * bins
    for value, count in sorted(values.items()):
        if not math.isfinite(value):
            index = bins - 1
        else:
            index = min(bins - 1, max(0, int((value - low) // bin_width)))
        counts[index] += count
    top = max(counts, default=0) or 1
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    bar_w = plot_w / bins
    out = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}"'
        f' role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>',
        f'<line class="axis" x1="{PAD_LEFT}" y1="{HEIGHT - PAD_BOTTOM}"'
        f' x2="{WIDTH - PAD_RIGHT}" y2="{HEIGHT - PAD_BOTTOM}"/>',
        f'<text class="tick" x="{PAD_LEFT - 4}" y="{PAD_TOP + 4}" text-anchor="end">{top}</text>',
        f'<text class="tick" x="{PAD_LEFT - 4}" y="{HEIGHT - PAD_BOTTOM}" text-anchor="end">0</text>',
    ]
    for i, count in enumerate(counts):
        start = low + i * bin_width
        label = f"≥ {_n(start)}" if i == bins - 1 else f"{_n(start)}–{_n(start + bin_width)}"
        h = plot_h * count / top
        x = PAD_LEFT + i * bar_w
        y = HEIGHT - PAD_BOTTOM - h
        out.append(
            f'<rect class="bar" x="{x + 0.5:.1f}" y="{y:.1f}" width="{max(bar_w - 1, 0.5):.1f}"'
            f' height="{h:.1f}"><title>{escape(label)} {escape(unit)}: {count}</title></rect>'
        )
    step = max(1, bins // 10)
    for i in range(0, bins + 1, step):
        x = PAD_LEFT + i * bar_w
        out.append(
            f'<text class="tick" x="{x:.1f}" y="{HEIGHT - PAD_BOTTOM + 14}"'
            f' text-anchor="middle">{_n(low + i * bin_width)}</text>'
        )
    out.append(
        f'<text class="tick" x="{PAD_LEFT + plot_w / 2:.1f}" y="{HEIGHT - 4}"'
        f' text-anchor="middle">{escape(unit)}</text>'
    )
    for n, marker in enumerate(markers):
        if not low <= marker.value <= high:
            continue
        x = PAD_LEFT + (marker.value - low) / bin_width * bar_w
        out.append(
            f'<line class="{marker.css}" x1="{x:.1f}" y1="{PAD_TOP - 4}" x2="{x:.1f}"'
            f' y2="{HEIGHT - PAD_BOTTOM}"><title>{escape(marker.label)}</title></line>'
            f'<text class="{marker.css}-label" x="{x + 3:.1f}" y="{PAD_TOP + 6 + 12 * n}">'
            f"{escape(marker.label)}</text>"
        )
    out.append("</svg>")
    return "".join(out)


def bars(items: Sequence[tuple[str, int]], *, title: str) -> str:
    """Horizontal bars, one per (label, count), in the order given."""
    row_h = 20
    label_w = 230
    height = max(1, len(items)) * row_h + 8
    top = max((count for _, count in items), default=0) or 1
    plot_w = WIDTH - label_w - 40
    out = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}"'
        f' role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    if not items:
        out.append('<text class="tick" x="4" y="16">none</text>')
    for i, (label, count) in enumerate(items):
        y = 4 + i * row_h
        w = plot_w * count / top
        shown = label if len(label) <= 34 else label[:33] + "…"
        out.append(
            f'<text class="tick" x="{label_w - 6}" y="{y + 14}" text-anchor="end">'
            f"{escape(shown)}</text>"
            f'<rect class="bar" x="{label_w}" y="{y + 2}" width="{max(w, 1):.1f}"'
            f' height="{row_h - 5}"><title>{escape(label)}: {count}</title></rect>'
            f'<text class="tick" x="{label_w + w + 4:.1f}" y="{y + 14}">{count}</text>'
        )
    out.append("</svg>")
    return "".join(out)
