"""Dashboard charts drawn on the server as self-contained SVG: no script, no external resource."""

from __future__ import annotations

import base64
import itertools
import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pygal  # type: ignore[import-untyped]  # pygal ships no type hints
from babel import Locale
from babel.numbers import format_decimal
from pygal.style import Style  # type: ignore[import-untyped]

WIDTH, HEIGHT = 800, 360  # the viewBox: the page scales the <img> with max-width: 100%
NO_DATA = "Aucune donnée"
FRENCH = Locale.parse("fr_FR")  # parsed once: pygal formats each value several times
TEXT = "#1a1a1a"
FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
# Okabe-Ito hues, each at least 3:1 against white (WCAG 1.4.11): their orange (2.2:1) is
# darkened and their sky blue (2.3:1) left out.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#000000", "#A66F00")
LABEL_SIZE = 16  # px of the viewBox: 12 px on screen while the image is at least 600 px wide
LINE_WIDTH = 3
DASHES = "10,6"
MAX_INTERVALS = 6  # between ticks of a count axis
# Chart ids derive from what is drawn (pygal would draw a random uuid4 on every render).
_CHART_IDS = uuid.UUID("6f1d2c1e-5b0e-4f4e-9d3a-2a7c8b1e0c11")
_TOOLTIP_PARTS = {"value", "x", "y", "x_label"}  # classes of pygal's <desc> read by its JS

STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground=TEXT,
    foreground_strong=TEXT,
    foreground_subtle="#595959",
    font_family=FONT,
    label_font_size=LABEL_SIZE,
    major_label_font_size=LABEL_SIZE,
    legend_font_size=LABEL_SIZE,
    value_font_size=LABEL_SIZE,
    value_label_font_size=LABEL_SIZE,
    tooltip_font_size=LABEL_SIZE,  # no tooltip is drawn, but its CSS rule stays
    title_font_size=20,
    no_data_font_size=24,
    guide_stroke_color="#d9d9d9",
    guide_stroke_dasharray="none",
    major_guide_stroke_color="#d9d9d9",
    major_guide_stroke_dasharray="none",
    opacity="1",
    opacity_hover="1",
    stroke_opacity="1",
    stroke_opacity_hover="1",
    stroke_width="1",
    stroke_width_hover="1",
    transition="0s",
    colors=PALETTE,
    value_colors=(TEXT,) * len(PALETTE),
)


@dataclass(frozen=True)
class Series:
    """One named run of values, one per label of the chart; None where nothing is known.

    A run may stop before the last label (the year so far): the rest is drawn as missing.
    """

    label: str  # already translated, e.g. "2026" or "Reconditionnés"
    values: tuple[int | float | None, ...]


def grouped_bars(
    title: str, labels: Sequence[str], series: Sequence[Series], *, unit: str = ""
) -> str:
    """Vertical bars, one group per label (e.g. months), one bar per series.

    Typically this year's counts beside last year's.
    """
    series = _padded(series, labels)
    chart = pygal.Bar(**_config(title, labels, series, unit, vertical=True))
    for one in series:
        chart.add(one.label, list(one.values))
    return _render(chart, kind="bars", title=title, labels=labels, series=series, unit=unit)


def line_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    unit: str = "",
    dashed: Sequence[str] = (),
) -> str:
    """Lines over labels; series whose label is in `dashed` are drawn dashed.

    Dashes mark what is not a measure: a forecast, a target pace.
    """
    series = _padded(series, labels)
    config = _config(title, labels, series, unit, vertical=True)
    config["legend_box_size"] = 2 * LABEL_SIZE  # room for a dash and a gap in the legend key
    chart = pygal.Line(**config, include_x_axis=True, dots_size=4)
    dashes = {i: DASHES for i, one in enumerate(series) if one.label in dashed}
    for one in series:
        chart.add(one.label, list(one.values))
    chart.xml_filters.append(lambda root: _stroke_lines(root, dashes))
    return _render(chart, kind="lines", title=title, labels=labels, series=series, unit=unit)


def horizontal_bars(
    title: str, labels: Sequence[str], values: Sequence[int | float], *, unit: str = ""
) -> str:
    """One horizontal bar per label (a funnel, kg per material fraction)."""
    series = _padded([Series(title, tuple(values))], labels)
    config = _config(title, labels[::-1], series, unit, vertical=False)
    # The values are written at the end of the bars, so the value axis would only repeat them.
    config |= {"show_x_labels": False, "show_y_guides": False, "print_values": True}
    config["margin_right"] = 16 + max((_text_width(_number(v, unit)) for v in values), default=0)
    # pygal stacks horizontal bars from the bottom up: reversed, the first label reads first.
    chart = pygal.HorizontalBar(**config, print_values_position="top")
    chart.add(title, list(series[0].values)[::-1])
    chart.xml_filters.append(_values_after_bars)
    return _render(chart, kind="horizontal", title=title, labels=labels, series=series, unit=unit)


def data_uri(svg: str) -> str:
    """The SVG as a data: URI for an <img src>."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


def _number(value: float | None, unit: str = "") -> str:
    """A value as French readers write it ("1 234,5 kg"); a dash when it is missing."""
    if value is None:
        return "\N{EN DASH}"
    text = format_decimal(value, locale=FRENCH)
    return f"{text}\N{NO-BREAK SPACE}{unit}" if unit else text


def _padded(series: Sequence[Series], labels: Sequence[str]) -> list[Series]:
    """Every series with one value per label; a value beyond the last label is an error."""
    for one in series:
        if len(one.values) > len(labels):
            raise ValueError(f"{one.label!r} has {len(one.values)} values for {len(labels)} labels")
    return [
        Series(one.label, one.values + (None,) * (len(labels) - len(one.values))) for one in series
    ]


def _config(
    title: str, labels: Sequence[str], series: Sequence[Series], unit: str, *, vertical: bool
) -> dict[str, Any]:
    values = [value for one in series for value in one.values if value is not None]
    config: dict[str, Any] = {
        "title": title,
        "x_labels": list(labels),
        "width": WIDTH,
        "height": HEIGHT,
        "style": STYLE,
        "js": [],  # pygal still writes an inline <script> of its config: _clean removes it
        "show_legend": len(series) > 1,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": min(len(series), 4) or None,
        "legend_box_size": LABEL_SIZE,
        "truncate_label": -1,
        "truncate_legend": -1,
        "value_formatter": lambda value: _number(value, unit),
        "no_data_text": NO_DATA,
        "margin": 16,
    }
    if not values:
        config |= {"show_y_labels": False, "show_x_labels": False, "show_y_guides": False}
    elif all(float(value).is_integer() for value in values):
        config["y_labels"] = _integer_ticks(values)
    if vertical and labels and _too_wide(labels):
        config["x_label_rotation"] = 30
    return config


def _integer_ticks(values: Sequence[float]) -> list[int]:
    """Whole-number ticks at 1, 2 or 5 x 10^n apart, from below the data to above it."""
    low, high = int(min(0, *values)), int(max(1, *values))
    for power in itertools.count():
        for base in (1, 2, 5):
            step = base * 10**power
            if high - low <= step * MAX_INTERVALS:
                first, last = math.floor(low / step), math.ceil(high / step)
                return [tick * step for tick in range(first, last + 1)]
    raise AssertionError  # pragma: no cover (itertools.count never ends)


def _text_width(text: str) -> float:
    """About how wide a label is drawn: 0.55 em per character in a sans-serif font."""
    return len(text) * LABEL_SIZE * 0.55


def _too_wide(labels: Sequence[str]) -> bool:
    """Whether the longest label overruns its slot under the plot."""
    slot = (WIDTH - 100) / len(labels)
    return max(_text_width(label) for label in labels) > slot * 0.9


def _render(
    chart: Any,
    *,
    kind: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    unit: str,
) -> str:
    drawn = repr((kind, title, tuple(labels), tuple(series), unit))
    chart.uuid = str(uuid.uuid5(_CHART_IDS, drawn))
    chart.xml_filters.append(lambda root: _clean(root, _description(labels, series, unit)))
    svg: str = chart.render(is_unicode=True)
    return svg


def _description(labels: Sequence[str], series: Sequence[Series], unit: str) -> str:
    """The data as text, one line per series: "2026 : janv. 12 ; févr. 9"."""
    return "\n".join(
        f"{one.label} : "
        + " ; ".join(
            f"{label} {_number(value, unit)}"
            for label, value in zip(labels, one.values, strict=True)
        )
        for one in series
    )


def _local(tag: object) -> str:
    """An element's name without namespace; empty for comments (pygal may build with lxml)."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _clean(root: Any, description: str) -> Any:
    """Drop what only pygal's JavaScript reads, the comments (dated, with links), add a <desc>."""
    for parent in list(root.iter()):
        for child in list(parent):
            name, classes = _local(child.tag), set(child.get("class", "").split())
            if (
                not name
                or name == "script"
                or (name == "desc" and classes & _TOOLTIP_PARTS)
                or (name == "title" and parent is not root)  # hover tips on axis ticks
                or "tooltip-overlay" in classes
            ):
                parent.remove(child)
            elif child.get("id", "").startswith("activate-serie"):
                del child.attrib["id"]
    heading = next(i for i, child in enumerate(root) if _local(child.tag) == "title")
    desc = root.makeelement("desc", {})
    desc.text = description
    root.insert(heading + 1, desc)
    return root


def _stroke_lines(root: Any, dashes: dict[int, str]) -> Any:
    """Thick lines, dashed where asked, and legend keys drawn as a stroke of the same line."""
    # pygal's stroke_style loses to its own `.reactive` rule: an inline style wins over both.
    for element in root.iter():
        classes = element.get("class", "").split()
        if "series" in classes:
            index = int(next(c for c in classes if c.startswith("serie-")).removeprefix("serie-"))
            for path in element.iter():
                if _local(path.tag) == "path" and "line" in path.get("class", "").split():
                    path.set("style", _stroke(dashes.get(index)))
        elif "legend" in classes:
            for key in [child for child in element if _local(child.tag) == "rect"]:
                color = next(c for c in key.get("class", "").split() if c.startswith("color-"))
                x, y = float(key.get("x")), float(key.get("y"))
                width, height = float(key.get("width")), float(key.get("height"))
                attributes = {"d": f"M{x} {y + height / 2} h{width}", "class": color}
                line = element.makeelement("path", attributes)
                line.set("style", _stroke(dashes.get(int(color.removeprefix("color-")))))
                element.remove(key)
                element.insert(0, line)
    return root


def _stroke(dashes: str | None) -> str:
    return f"fill:none;stroke-width:{LINE_WIDTH};stroke-dasharray:{dashes or 'none'}"


def _values_after_bars(root: Any) -> Any:
    """Values written just past the end of their bar rather than centred across it."""
    for element in root.iter():
        if _local(element.tag) == "text" and "value" in element.get("class", "").split():
            element.set("text-anchor", "start")
    return root
