"""Dashboard charts are self-contained SVG: well formed, script-free, readable and reproducible."""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest

from tracker.web.charts import (
    PALETTE,
    Series,
    data_uri,
    grouped_bars,
    horizontal_bars,
    line_chart,
)

SVG = "{http://www.w3.org/2000/svg}"
NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
MONTHS = ("janv.", "févr.", "mars", "avr.", "mai", "juin")
THIS_YEAR = Series("2026", (12, 9, 14, 20, None, None))
LAST_YEAR = Series("2025", (8, 11, 10, 15, 12, 9))
TARGET = Series("Objectif", (10, 20, 30, 40, 50, 60))
STAGES = ("Dons reçus", "Triés", "Reconditionnés", "Confiés")

CHARTS: dict[str, Callable[[], str]] = {
    "bars": lambda: grouped_bars("Ordinateurs reçus", MONTHS, [THIS_YEAR, LAST_YEAR]),
    "lines": lambda: line_chart(
        "Ordinateurs confiés", MONTHS, [THIS_YEAR, TARGET], dashed=["Objectif"]
    ),
    "horizontal": lambda: horizontal_bars("Parcours", STAGES, [412, 380, 251.5, 198], unit="kg"),
    "empty bars": lambda: grouped_bars("Ordinateurs reçus", [], []),
    "empty lines": lambda: line_chart(
        "Ordinateurs confiés", MONTHS[:2], [Series("2026", (None,) * 2)]
    ),
    "empty horizontal": lambda: horizontal_bars("Parcours", [], []),
}
TITLES = {
    "bars": "Ordinateurs reçus",
    "lines": "Ordinateurs confiés",
    "horizontal": "Parcours",
    "empty bars": "Ordinateurs reçus",
    "empty lines": "Ordinateurs confiés",
    "empty horizontal": "Parcours",
}


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 (our own output, not untrusted input)


def drawn_texts(root: ET.Element) -> list[str]:
    """The words a person sees: the text of every <text> element."""
    return ["".join(text.itertext()) for text in root.iter(f"{SVG}text")]


def relative_luminance(color: str) -> float:
    channels = [int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


@pytest.fixture(params=sorted(CHARTS))
def chart(request: pytest.FixtureRequest) -> tuple[str, str]:
    return request.param, CHARTS[request.param]()


def test_every_chart_is_a_well_formed_svg_document_with_a_view_box(chart: tuple[str, str]) -> None:
    _, svg = chart
    root = parse(svg)
    assert svg.startswith(("<?xml", "<svg"))
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox") == "0 0 800 360"


def test_no_chart_carries_a_script_or_an_event_handler(chart: tuple[str, str]) -> None:
    _, svg = chart
    assert "<script" not in svg.lower()
    assert "javascript:" not in svg.lower()
    for element in parse(svg).iter():
        assert not [name for name in element.attrib if name.lower().startswith("on")]


def test_no_chart_refers_to_anything_outside_itself(chart: tuple[str, str]) -> None:
    _, svg = chart
    assert set(re.findall(r"https?://[^\s\"'<>]*", svg)) <= NAMESPACES
    assert "@import" not in svg
    assert "xml-stylesheet" not in svg
    for element in parse(svg).iter():
        links = [value for name, value in element.attrib.items() if name.endswith("href")]
        assert all(link.startswith("#") for link in links)


def test_the_charts_title_is_the_title_of_the_document(chart: tuple[str, str]) -> None:
    name, svg = chart
    title = parse(svg).find(f"{SVG}title")
    assert title is not None
    assert title.text == TITLES[name]


def test_no_chart_carries_hover_tooltips(chart: tuple[str, str]) -> None:
    _, svg = chart
    root = parse(svg)
    assert len(list(root.iter(f"{SVG}title"))) == 1
    assert len(list(root.iter(f"{SVG}desc"))) == 1
    assert "tooltip-overlay" not in svg


def test_the_description_gives_the_data_as_text() -> None:
    description = parse(CHARTS["bars"]()).findtext(f"{SVG}desc") or ""
    assert "2026 : janv. 12 ; févr. 9" in description
    assert "2025 : janv. 8" in description


def test_every_size_of_text_is_legible_once_the_image_is_scaled_to_600_px(
    chart: tuple[str, str],
) -> None:
    _, svg = chart
    sizes = [int(size) for size in re.findall(r"font-size:\s*(\d+)px", svg)]
    assert sizes
    assert min(sizes) * 600 / 800 >= 12


def test_rendering_twice_gives_the_same_bytes(chart: tuple[str, str]) -> None:
    name, svg = chart
    assert CHARTS[name]() == svg


def test_grouped_bars_show_each_month_and_name_each_series_in_the_legend() -> None:
    root = parse(CHARTS["bars"]())
    texts = drawn_texts(root)
    assert set(MONTHS) <= set(texts)
    assert {"2026", "2025"} <= set(texts)
    legends = root.find(f".//{SVG}g[@class='legends']")
    assert legends is not None
    assert len(legends.findall(f"{SVG}g")) == 2
    _, y = map(float, re.findall(r"[\d.]+", legends.get("transform", "")))
    assert y > 360 * 3 / 4  # under the plot, not beside it


def test_a_single_series_needs_no_legend() -> None:
    root = parse(grouped_bars("Ordinateurs reçus", MONTHS[:2], [Series("2026", (3, 4))]))
    assert "2026" not in drawn_texts(root)
    assert set(MONTHS[:2]) <= set(drawn_texts(root))


def test_series_are_told_apart_by_colour_blind_safe_colours_that_stand_out_on_white() -> None:
    svg = CHARTS["bars"]()
    assert PALETTE[0] in svg
    assert PALETTE[1] in svg
    for color in PALETTE:
        assert 1.05 / (relative_luminance(color) + 0.05) >= 3


def test_a_line_named_in_dashed_is_drawn_dashed_and_the_others_solid() -> None:
    root = parse(CHARTS["lines"]())
    styles = {}
    for group in root.iter(f"{SVG}g"):
        classes = group.get("class", "").split()
        path = group.find(f"{SVG}path")
        if "series" in classes and path is not None:
            styles[next(c for c in classes if c.startswith("serie-"))] = path.get("style", "")
    assert "stroke-dasharray:none" in styles["serie-0"]  # "2026", measured
    assert re.search(r"stroke-dasharray:\s*\d", styles["serie-1"])  # "Objectif", a target
    assert {"2026", "Objectif"} <= set(drawn_texts(root))


def test_horizontal_bars_list_the_labels_top_down_in_the_order_given() -> None:
    root = parse(CHARTS["horizontal"]())
    heights = {
        "".join(text.itertext()): float(text.get("y", "nan"))
        for text in root.iter(f"{SVG}text")
        if "".join(text.itertext()) in STAGES
    }
    assert list(heights) != []
    assert sorted(STAGES, key=heights.__getitem__) == list(STAGES)


def test_values_are_written_as_french_readers_write_them_with_their_unit() -> None:
    texts = drawn_texts(parse(horizontal_bars("Matières", ["Métaux"], [1234.5], unit="kg")))
    assert "1\u202f234,5\u00a0kg" in texts


def test_count_axes_have_whole_number_ticks_only() -> None:
    root = parse(grouped_bars("Ordinateurs reçus", MONTHS[:3], [Series("2026", (0, 1, 0))]))
    axis = next(g for g in root.iter(f"{SVG}g") if "y" in g.get("class", "").split())
    ticks = ["".join(text.itertext()) for text in axis.iter(f"{SVG}text")]
    assert ticks == ["0", "1"]


@pytest.mark.parametrize("name", ["empty bars", "empty lines", "empty horizontal"])
def test_a_chart_without_data_says_so_in_french(name: str) -> None:
    texts = drawn_texts(parse(CHARTS[name]()))
    assert "Aucune donnée" in texts
    assert "No data" not in texts


def test_counts_that_are_all_zero_are_drawn_as_zeros_not_as_missing_data() -> None:
    texts = drawn_texts(parse(grouped_bars("Reçus", MONTHS[:3], [Series("2026", (0, 0, 0))])))
    assert "Aucune donnée" not in texts
    assert set(MONTHS[:3]) <= set(texts)


def test_markup_in_titles_and_labels_is_escaped_not_interpreted() -> None:
    title = 'Dons & prêts <"2026">'
    root = parse(grouped_bars(title, ["<b>"], [Series("A & B", (1,)), Series("C", (2,))]))
    assert root.find(f"{SVG}title") is not None
    assert root.findtext(f"{SVG}title") == title
    assert {"<b>", "A & B"} <= set(drawn_texts(root))
    assert root.find(f".//{SVG}b") is None


def test_a_series_may_stop_before_the_last_label_like_the_year_so_far() -> None:
    root = parse(line_chart("Cumul", MONTHS, [Series("2026", (3, 5)), LAST_YEAR]))
    assert set(MONTHS) <= set(drawn_texts(root))
    assert "2026 : janv. 3 ; févr. 5 ; mars \N{EN DASH}" in (root.findtext(f"{SVG}desc") or "")


def test_a_series_cannot_have_more_values_than_labels() -> None:
    with pytest.raises(ValueError, match="2026"):
        grouped_bars("Reçus", MONTHS[:2], [Series("2026", (1, 2, 3))])


def test_the_data_uri_decodes_back_to_the_svg() -> None:
    svg = CHARTS["bars"]()
    uri = data_uri(svg)
    prefix = "data:image/svg+xml;base64,"
    assert uri.startswith(prefix)
    assert base64.b64decode(uri.removeprefix(prefix), validate=True).decode("utf-8") == svg
