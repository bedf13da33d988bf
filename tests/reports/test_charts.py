"""Chart geometry (wijklab.reports.charts) and its drawing (templates/macros/charts.html).

The geometry is checked on the Chart's numbers; the drawing by parsing the rendered macro as
XML, which also proves it is well formed.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest
from flask import session
from flask_babel import refresh
from hypothesis import given
from hypothesis import strategies as st

from wijklab.reports.charts import (
    CHAR_WIDTH,
    WIDTH,
    Chart,
    Rect,
    bar_chart,
    cumulative_chart,
    format_amount,
    format_number,
    nice_scale,
    stacked_bar_chart,
)

CATEGORY = "Individuele ondersteuning (cliëntgericht)"
STATUSES = ["Concept", "Actief", "Ter beoordeling", "Afgetekend"]
SERIES = ("Geverifieerd", "In afwachting")
RENDER = '{% from "macros/charts.html" import chart %}{{ chart(c) }}'


@pytest.fixture
def request_ctx(app):
    """A request context: babel reads the user's language from it."""
    with app.test_request_context("/"):
        yield


def bars(chart: Chart) -> list[Rect]:
    return [r for r in chart.rects if "chart-bar" in r.css_class.split()]


def texts(chart: Chart, css_class: str) -> list[str]:
    return [t.text for t in chart.texts if t.css_class == css_class]


def parse(html: str) -> ET.Element:
    """Parse our own rendered markup as XML: it must be well formed to parse at all."""
    return ET.fromstring(html.strip())  # noqa: S314 (our own output, not untrusted input)


def render(app, chart: Chart) -> ET.Element:
    return parse(app.jinja_env.from_string(RENDER).render(c=chart))


def weeks(count: int, pending: float = 2.0) -> list[tuple[str, float, float]]:
    return [(f"wk {(36 + i) % 52 + 1}", 3.0 * (i + 1), pending) for i in range(count)]


# Numbers and scales


@pytest.mark.parametrize(
    ("maximum", "top"),
    [
        (0.3, 1),
        (1, 1),
        (1.2, 2),
        (7, 10),
        (12, 20),
        (21, 25),
        (30, 50),
        (100, 100),
        (101, 200),
        (2500, 2500),
        (2501, 5000),
    ],
)
def test_nice_scale_rounds_up_to_one_two_two_and_a_half_or_five_times_a_power_of_ten(maximum, top):
    assert nice_scale(maximum)[0] == top


@given(st.floats(min_value=0, max_value=1e7, allow_nan=False))
def test_nice_scale_holds_the_maximum_in_four_or_five_equal_steps_from_zero(maximum):
    top, ticks = nice_scale(maximum)
    assert top >= maximum
    assert ticks[0] == 0 and ticks[-1] == top
    assert 4 <= len(ticks) - 1 <= 5
    steps = {round(b - a, 6) for a, b in zip(ticks, ticks[1:], strict=False)}
    assert len(steps) == 1
    assert round(top / 10 ** math.floor(math.log10(top)), 6) in {1, 2, 2.5, 5}


def test_nice_scale_of_zero_or_negative_is_one():
    assert nice_scale(0) == (1.0, [0.0, 0.2, 0.4, 0.6, 0.8, 1.0])
    assert nice_scale(-5)[0] == 1.0


def test_numbers_are_dutch_with_at_most_one_decimal(request_ctx):
    assert format_number(12.5) == "12,5"
    assert format_number(12.46) == "12,5"
    assert format_number(3.0) == "3"
    assert format_number(1234.5) == "1.234,5"
    assert format_amount(12.5, "uur") == "12,5 uur"
    assert format_amount(4, "") == "4"


def test_numbers_follow_the_english_locale_in_english(request_ctx):
    session["locale"] = "en"
    refresh()
    assert format_number(1234.5) == "1,234.5"


# Bar chart


def test_largest_bar_spans_the_plot_width(request_ctx):
    chart = bar_chart("Uren", [("A", 4), ("B", 7), ("C", 2.5)], unit="uur", chart_id="c")
    widths = [r.width for r in bars(chart)]
    assert max(widths) == chart.plot.width
    assert widths.index(max(widths)) == 1


def test_bar_widths_are_proportional_to_values(request_ctx):
    chart = bar_chart("Uren", [("A", 4), ("B", 10), ("C", 2.5)], unit="uur", chart_id="c")
    a, b, c = bars(chart)
    assert a.width == pytest.approx(b.width * 0.4, abs=0.01)
    assert c.width == pytest.approx(b.width * 0.25, abs=0.01)
    assert {r.x for r in (a, b, c)} == {chart.plot.x}


def test_bars_stack_downwards_in_row_order_within_the_chart(request_ctx):
    chart = bar_chart("Uren", [("A", 1), ("B", 2), ("C", 3)], unit="uur", chart_id="c")
    ys = [r.y for r in bars(chart)]
    assert ys == sorted(ys) and len(set(ys)) == 3
    assert max(r.y + r.height for r in chart.rects) <= chart.height


def test_bar_label_is_written_above_its_bar(request_ctx):
    chart = bar_chart("Uren", [("Bewonersactiviteit", 5)], unit="uur", chart_id="c")
    (label,) = [t for t in chart.texts if t.css_class == "chart-label"]
    (bar,) = bars(chart)
    assert label.text == "Bewonersactiviteit"
    assert label.y <= bar.y
    assert label.x == bar.x


def test_long_label_wraps_onto_two_lines_that_fit_the_chart(request_ctx):
    chart = bar_chart("Uren", [(CATEGORY, 5)], unit="uur", chart_id="c")
    lines = texts(chart, "chart-label")
    assert lines == ["Individuele ondersteuning", "(cliëntgericht)"]
    assert all(len(line) * CHAR_WIDTH <= WIDTH for line in lines)


def test_overlong_label_is_cut_with_an_ellipsis_but_kept_whole_in_the_table(request_ctx):
    name = "Team " + " ".join(["Transvaal-Noord"] * 8)
    chart = bar_chart("Uren", [(name, 5)], unit="uur", chart_id="c")
    lines = texts(chart, "chart-label")
    assert len(lines) == 2
    assert lines[-1].endswith("…")
    assert all(len(line) * CHAR_WIDTH <= WIDTH for line in lines)
    assert chart.table.rows[0][0] == name


def test_value_is_written_after_the_end_of_each_bar(request_ctx):
    chart = bar_chart("Uren", [("A", 12.5), ("B", 25)], unit="uur", chart_id="c")
    values = [t for t in chart.texts if t.css_class == "chart-value"]
    assert [t.text for t in values] == ["12,5 uur", "25 uur"]
    for bar, value in zip(bars(chart), values, strict=True):
        assert value.x > bar.x + bar.width
        assert bar.y < value.y < bar.y + bar.height + 1
        assert value.x + len(value.text) * CHAR_WIDTH <= WIDTH + 1


def test_all_zero_bars_have_no_width_and_say_so(request_ctx):
    chart = bar_chart("Uren", [("A", 0), ("B", 0)], unit="uur", chart_id="c")
    assert not chart.is_empty
    assert [r.width for r in bars(chart)] == [0, 0]
    assert chart.description == "Alle waarden zijn 0 uur."
    assert texts(chart, "chart-value") == ["0 uur", "0 uur"]


def test_negative_and_missing_values_draw_as_empty_bars(request_ctx):
    chart = bar_chart("Uren", [("A", -3), ("B", float("nan")), ("C", 2)], unit="uur", chart_id="c")
    assert [r.width for r in bars(chart)] == [0, 0, chart.plot.width]


def test_no_rows_give_an_empty_chart(request_ctx):
    chart = bar_chart("Uren", [], unit="uur", chart_id="c")
    assert chart.is_empty
    assert chart.rects == [] and chart.table.rows == []
    assert chart.description == "Nog geen gegevens voor deze periode."


def test_description_names_the_highest_row_and_the_total(request_ctx):
    rows = [("Netwerk", 3), ("Bewonersactiviteit", 12.5), ("Overleg", 2)]
    chart = bar_chart("Uren", rows, unit="uur", chart_id="c")
    assert chart.description == "Hoogste: Bewonersactiviteit, 12,5 uur. Samen: 17,5 uur."


def test_given_description_is_used_as_is(request_ctx):
    chart = bar_chart("Uren", [("A", 1)], unit="uur", chart_id="c", description="Eigen tekst.")
    assert chart.description == "Eigen tekst."


def test_table_holds_each_label_with_its_formatted_value(request_ctx):
    chart = bar_chart("Uren per team", [("Noord", 12.5), ("Zuid", 1234)], unit="uur", chart_id="c")
    assert chart.table.caption == "Uren per team"
    assert chart.table.headers == ["Omschrijving", "Waarde"]
    assert chart.table.rows == [["Noord", "12,5 uur"], ["Zuid", "1.234 uur"]]


@pytest.mark.parametrize("chart_id", ["", "1chart", "two words", 'x"y', "a#b"])
def test_chart_id_must_be_usable_as_an_html_id(request_ctx, chart_id):
    with pytest.raises(ValueError):
        bar_chart("Uren", [("A", 1)], unit="uur", chart_id=chart_id)


# Stacked bar chart


def goals_chart(rows=None) -> Chart:
    rows = rows or [("Noord", [2, 3, 1, 4]), ("Zuid", [0, 6, 0, 14])]
    return stacked_bar_chart("Leerdoelen", rows, series=STATUSES, unit="", chart_id="goals")


def test_stacked_segments_follow_each_other_in_series_order(request_ctx):
    chart = goals_chart()
    noord = bars(chart)[:4]
    assert [r.css_class.split()[-1] for r in noord] == ["series-0", "series-1", "series-2"] + [
        "series-3"
    ]
    assert noord[0].x == chart.plot.x
    for left, right in zip(noord, noord[1:], strict=False):
        assert right.x == pytest.approx(left.x + left.width, abs=0.02)
        assert right.y == left.y


def test_largest_stacked_total_spans_the_plot_width(request_ctx):
    chart = goals_chart()
    zuid = bars(chart)[4:]
    noord = bars(chart)[:4]
    assert sum(r.width for r in zuid) == pytest.approx(chart.plot.width, abs=0.05)
    assert sum(r.width for r in noord) == pytest.approx(chart.plot.width / 2, abs=0.05)


def test_stacked_total_is_written_after_each_bar(request_ctx):
    assert texts(goals_chart(), "chart-value") == ["10", "20"]


def test_segment_value_is_written_inside_only_when_it_fits(request_ctx):
    chart = goals_chart([("Noord", [1, 0, 0, 99])])
    assert texts(chart, "chart-value-inside") == ["99"]


def test_stacked_chart_has_a_legend_entry_per_series_in_order(request_ctx):
    chart = goals_chart()
    assert [item.label for item in chart.legend] == STATUSES
    assert [item.rect.css_class.split()[-1] for item in chart.legend] == [
        f"series-{i}" for i in range(4)
    ]
    first_bar_top = min(r.y for r in chart.rects)
    assert all(item.rect.y + item.rect.height < first_bar_top for item in chart.legend)


def test_legend_wraps_to_stay_within_the_chart(request_ctx):
    series = [f"Status nummer {i}" for i in range(6)]
    chart = stacked_bar_chart(
        "Leerdoelen", [("Noord", [1] * 6)], series=series, unit="", chart_id="c"
    )
    assert len({item.rect.y for item in chart.legend}) > 1
    for item in chart.legend:
        (text,) = item.texts
        assert text.x + len(text.text) * CHAR_WIDTH <= WIDTH


def test_stacked_table_has_a_column_per_series_and_a_total(request_ctx):
    chart = goals_chart()
    assert chart.table.headers == ["Omschrijving", *STATUSES, "Totaal"]
    assert chart.table.rows[0] == ["Noord", "2", "3", "1", "4", "10"]


def test_stacked_row_with_the_wrong_number_of_values_is_rejected(request_ctx):
    with pytest.raises(ValueError):
        goals_chart([("Noord", [1, 2])])


def test_stacked_description_names_the_highest_total(request_ctx):
    assert goals_chart().description == "Hoogste totaal: Zuid, 20. Samen: 30."


def test_stacked_chart_without_rows_is_empty(request_ctx):
    chart = stacked_bar_chart("Leerdoelen", [], series=STATUSES, unit="", chart_id="c")
    assert chart.is_empty and chart.table.headers[1:-1] == STATUSES


# Cumulative chart


def bpv_chart(points=None, target: float | None = 40) -> Chart:
    points = points if points is not None else [("wk 37", 4, 3), ("wk 38", 10, 6)]
    return cumulative_chart(
        "BPV-uren", points, target=target, series=SERIES, unit="uur", chart_id="bpv"
    )


def columns(chart: Chart) -> list[tuple[Rect, Rect]]:
    """(verified, pending) per week."""
    shapes = bars(chart)
    return list(zip(shapes[::2], shapes[1::2], strict=True))


def test_pending_column_sits_on_top_of_the_verified_column(request_ctx):
    chart = bpv_chart()
    for verified, pending in columns(chart):
        assert not verified.hatched and pending.hatched
        assert pending.x == verified.x and pending.width == verified.width
        assert pending.y + pending.height == pytest.approx(verified.y, abs=0.02)
        assert verified.y + verified.height == pytest.approx(chart.plot.y + chart.plot.height)


def test_column_heights_are_proportional_on_the_scale(request_ctx):
    chart = bpv_chart(target=None)
    assert chart.scale_max == 20
    (v1, p1), (v2, p2) = columns(chart)
    unit_height = chart.plot.height / 20
    assert v1.height == pytest.approx(4 * unit_height, abs=0.02)
    assert p1.height == pytest.approx(3 * unit_height, abs=0.02)
    assert v2.height == pytest.approx(10 * unit_height, abs=0.02)
    assert p2.height == pytest.approx(6 * unit_height, abs=0.02)


def test_scale_reaches_above_both_the_data_and_the_target(request_ctx):
    assert bpv_chart(target=None).scale_max == 20
    assert bpv_chart(target=240).scale_max == 250
    assert bpv_chart(target=10).scale_max == 20


def test_target_line_is_drawn_at_the_target_value(request_ctx):
    chart = bpv_chart(target=40)
    assert chart.scale_max == 50
    (line,) = [line for line in chart.lines if line.css_class == "chart-target"]
    expected = chart.plot.y + chart.plot.height * (1 - 40 / 50)
    assert line.y1 == line.y2 == pytest.approx(expected, abs=0.02)
    assert line.x1 == chart.plot.x and line.x2 == pytest.approx(chart.plot.x + chart.plot.width)
    assert texts(chart, "chart-target-label") == ["Afgesproken: 40 uur"]


def test_without_a_target_there_is_no_target_line(request_ctx):
    chart = bpv_chart(target=None)
    assert not [line for line in chart.lines if line.css_class == "chart-target"]
    assert not texts(chart, "chart-target-label")


def test_ticks_are_placed_from_the_axis_up_to_the_top(request_ctx):
    chart = bpv_chart(target=40)
    assert [tick.label for tick in chart.ticks] == ["0", "10", "20", "30", "40", "50"]
    assert chart.ticks[0].line.y1 == chart.plot.y + chart.plot.height
    assert chart.ticks[-1].line.y1 == chart.plot.y


def test_sixty_weeks_fit_with_thin_columns_and_spaced_labels(request_ctx):
    points = weeks(60)
    chart = bpv_chart(points, target=400)
    assert len(columns(chart)) == 60
    for verified, _pending in columns(chart):
        assert chart.plot.x <= verified.x
        assert verified.x + verified.width <= chart.plot.x + chart.plot.width
    labels = [t for t in chart.texts if t.css_class == "chart-axis-label"]
    assert 2 <= len(labels) < 15
    assert labels[-1].text == points[-1][0]
    extents = []
    for t in labels:
        width = len(t.text) * CHAR_WIDTH
        start = {"start": t.x, "middle": t.x - width / 2, "end": t.x - width}[t.anchor]
        assert start >= 0 and start + width <= WIDTH
        extents.append((start, start + width))
    assert all(a[1] < b[0] for a, b in zip(extents, extents[1:], strict=False))


def test_a_few_weeks_get_every_label_and_columns_of_limited_width(request_ctx):
    chart = bpv_chart(weeks(3))
    assert texts(chart, "chart-axis-label") == ["wk 37", "wk 38", "wk 39"]
    assert all(v.width <= 28 for v, _p in columns(chart))


def test_cumulative_legend_shows_the_latest_value_of_each_series(request_ctx):
    chart = bpv_chart()
    assert [item.label for item in chart.legend] == ["Geverifieerd: 10 uur", "In afwachting: 6 uur"]
    assert [item.rect.hatched for item in chart.legend] == [False, True]


def test_pending_is_filled_with_a_pattern_named_after_the_chart(request_ctx):
    chart = bpv_chart()
    assert chart.pattern_id == "bpv-pending"


def test_cumulative_description_states_the_latest_week_and_the_target(request_ctx):
    assert bpv_chart().description == (
        "Tot en met wk 38: Geverifieerd 10 uur, In afwachting 6 uur. Afgesproken: 40 uur."
    )
    assert bpv_chart(target=None).description == (
        "Tot en met wk 38: Geverifieerd 10 uur, In afwachting 6 uur."
    )


def test_cumulative_table_has_totals_and_names_the_target(request_ctx):
    chart = bpv_chart([("wk 37", 4, 3), ("wk 38", 10.5, 6)], target=400)
    assert chart.table.caption == "BPV-uren (afgesproken: 400 uur)"
    assert chart.table.headers == ["Week", "Geverifieerd", "In afwachting", "Totaal"]
    assert chart.table.rows[1] == ["wk 38", "10,5 uur", "6 uur", "16,5 uur"]


def test_all_zero_weeks_draw_flat_columns_without_dividing_by_zero(request_ctx):
    chart = bpv_chart([("wk 1", 0, 0), ("wk 2", 0, 0)], target=None)
    assert chart.scale_max == 1
    assert all(r.height == 0 for r in bars(chart))


def test_cumulative_chart_without_points_is_empty(request_ctx):
    chart = bpv_chart([], target=400)
    assert chart.is_empty and chart.rects == [] and chart.lines == []


# The macro


def test_rendered_chart_is_an_image_named_by_its_title_and_description(app, request_ctx):
    chart = bar_chart("Uren per categorie", [("Netwerk", 12.5)], unit="uur", chart_id="cat")
    figure = render(app, chart)
    assert figure.tag == "figure" and figure.get("id") == "cat"
    assert figure.find("figcaption").text == "Uren per categorie"
    svg = figure.find("svg")
    assert svg.get("role") == "img"
    assert svg.get("viewBox") == chart.view_box
    ids = {el.get("id"): el for el in svg.iter() if el.get("id")}
    named_by = svg.get("aria-labelledby").split()
    assert named_by == ["cat-title", "cat-desc"]
    assert [ids[i].tag for i in named_by] == ["title", "desc"]
    assert ids["cat-title"].text == "Uren per categorie"
    assert ids["cat-desc"].text == chart.description


def test_rendered_chart_has_no_style_attributes_or_scripts(app, request_ctx):
    figure = render(app, bpv_chart(weeks(10)))
    elements = list(figure.iter())
    assert not [el.tag for el in elements if "style" in el.attrib]
    assert not [el for el in elements if el.tag in {"script", "style"}]
    assert not [k for el in elements for k in el.attrib if k.startswith("on")]


def test_rendered_bars_carry_the_computed_geometry_and_values(app, request_ctx):
    chart = bar_chart("Uren", [("A", 5), ("B", 10)], unit="uur", chart_id="c")
    svg = render(app, chart).find("svg")
    drawn = [r for r in svg.iter("rect") if "chart-bar" in r.get("class").split()]
    assert [float(r.get("width")) for r in drawn] == [b.width for b in bars(chart)]
    drawn_texts = [t.text for t in svg.iter("text")]
    assert "5 uur" in drawn_texts and "10 uur" in drawn_texts


def test_rendered_table_has_a_caption_scoped_headers_and_the_rows(app, request_ctx):
    chart = bar_chart("Uren per team", [("Noord", 12.5)], unit="uur", chart_id="c")
    details = render(app, chart).find("details")
    assert "chart-table" in details.get("class").split()
    assert details.find("summary").text == "Toon als tabel"
    table = details.find("table")
    assert table.find("caption").text == "Uren per team"
    assert [(th.get("scope"), th.text) for th in table.find("thead").iter("th")] == [
        ("col", "Omschrijving"),
        ("col", "Waarde"),
    ]
    (row,) = table.find("tbody").findall("tr")
    assert row.find("th").get("scope") == "row" and row.find("th").text == "Noord"
    assert row.find("td").text == "12,5 uur"


@pytest.mark.parametrize("label", ["<script>alert(1)</script>", "Zoë & Ayşe"])
def test_labels_are_escaped_in_the_drawing_and_the_table(app, request_ctx, label):
    chart = bar_chart("Uren", [(label, 3)], unit="uur", chart_id="c")
    html = app.jinja_env.from_string(RENDER).render(c=chart)
    assert "<script>" not in html
    figure = parse(html)
    assert not list(figure.iter("script"))
    assert label in [t.text for t in figure.find("svg").iter("text")]
    assert figure.find(".//tbody/tr/th").text == label


def test_empty_chart_renders_a_sentence_instead_of_a_drawing(app, request_ctx):
    figure = render(app, bar_chart("Uren", [], unit="uur", chart_id="c"))
    assert figure.find("svg") is None and figure.find("details") is None
    assert figure.find("p").text == "Nog geen gegevens voor deze periode."


def test_hatch_pattern_is_defined_in_the_svg_and_fills_the_pending_columns(app, request_ctx):
    svg = render(app, bpv_chart()).find("svg")
    (pattern,) = svg.find("defs").findall("pattern")
    assert pattern.get("id") == "bpv-pending"
    pending = [r for r in svg.iter("rect") if "chart-pending" in r.get("class").split()]
    assert len(pending) == 3  # two weeks and the legend swatch
    assert {r.get("fill") for r in pending} == {"url(#bpv-pending)"}


def test_legend_is_drawn_for_a_multi_series_chart_only(app, request_ctx):
    stacked = render(app, goals_chart()).find("svg")
    legend = [g for g in stacked.iter("g") if g.get("class") == "chart-legend"]
    assert [t.text for t in legend[0].iter("text")] == STATUSES
    single = render(app, bar_chart("Uren", [("A", 1)], unit="uur", chart_id="c")).find("svg")
    assert not [g for g in single.iter("g") if g.get("class") == "chart-legend"]


def test_two_charts_on_a_page_have_distinct_ids(app, request_ctx):
    ids = []
    for chart in (bpv_chart(), goals_chart()):
        ids += [el.get("id") for el in render(app, chart).iter() if el.get("id")]
    assert len(ids) == len(set(ids))
