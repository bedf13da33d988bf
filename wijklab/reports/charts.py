"""Chart geometry for the dashboards: plain numbers in, shapes out; templates draw them.

No database and no drawing here: a Chart holds the viewBox size, the rectangles, texts and
lines to draw, the legend and a table with the same numbers as the text alternative.
``templates/macros/charts.html`` renders any Chart as inline SVG; ``static/css/charts.css``
colours it. Sizes are viewBox units; labels are 14 units high (charts.css) and their widths are
estimated generously, so a label that fits here fits on screen. The viewBox is narrow (320) so
that at 360 px the text still shows at about 13 px; the texts go through the catalogue, so the
functions need an app (and, for the user's language, a request) context.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from flask_babel import gettext as _
from markupsafe import Markup, escape

from wijklab.i18n import decimal

WIDTH = 320
FONT_SIZE = 14
# A little wider than the average glyph of a 14-unit system sans-serif, so estimates err on
# the side of wrapping early rather than running off the chart.
CHAR_WIDTH = 8.4
LINE_HEIGHT = 18
BAR_HEIGHT = 20
BAR_GAP = 4  # between a bar's label and the bar
ROW_GAP = 14  # between one bar and the next row's label
VALUE_GAP = 6  # between a bar's end and its value
SWATCH = 12
LEGEND_GAP = 14
LABEL_LINES = 2
LABEL_SPACING = 8  # at least this much air between two week labels
PLOT_HEIGHT = 180
MAX_COLUMN_WIDTH = 28
COLUMN_FILL = 0.7  # share of a week's slot its column covers; the rest is air between columns
SERIES_CLASSES = 6  # charts.css defines .series-0 ... .series-5
MIN_VISIBLE = 6  # the narrowest a progress bar with anything in it is drawn
MARKER_OVERHANG = 6  # how far the expected-value marker reaches above and below the bar
NICE_STEPS = ((1.0, 0.2), (2.0, 0.5), (2.5, 0.5), (5.0, 1.0))  # (maximum, tick step) × 10^n

CHART_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")


@dataclass(frozen=True)
class Rect:
    """A filled rectangle: a bar, a bar segment, a background track or a legend swatch."""

    x: float
    y: float
    width: float
    height: float
    css_class: str
    hatched: bool = False  # filled with the chart's hatch pattern (Chart.pattern_id)
    tooltip: str = ""

    def svg(self, pattern_id: str | None = None) -> Markup:
        # Written here rather than by a Jinja macro: a dashboard draws hundreds of shapes, and a
        # macro call costs ten times the string.
        fill = f' fill="url(#{escape(pattern_id)})"' if self.hatched else ""
        title = f"<title>{escape(self.tooltip)}</title>" if self.tooltip else ""
        return Markup(  # noqa: S704  (numbers, and every text escaped)
            f'<rect x="{self.x}" y="{self.y}" width="{self.width}" height="{self.height}" '
            f'class="{escape(self.css_class)}"{fill}>{title}</rect>'
        )


@dataclass(frozen=True)
class Text:
    """One line of text; ``y`` is its baseline and ``anchor`` the SVG text-anchor."""

    x: float
    y: float
    text: str
    css_class: str
    anchor: str = "start"

    def svg(self) -> Markup:
        anchor = f' text-anchor="{escape(self.anchor)}"' if self.anchor != "start" else ""
        return Markup(  # noqa: S704  (numbers, and every text escaped)
            f'<text x="{self.x}" y="{self.y}" class="{escape(self.css_class)}"{anchor}>'
            f"{escape(self.text)}</text>"
        )


@dataclass(frozen=True)
class Line:
    """A straight line: an axis, a grid line, the target line or a legend swatch."""

    x1: float
    y1: float
    x2: float
    y2: float
    css_class: str

    def svg(self) -> Markup:
        return Markup(  # noqa: S704  (numbers, and every text escaped)
            f'<line x1="{self.x1}" y1="{self.y1}" x2="{self.x2}" y2="{self.y2}" '
            f'class="{escape(self.css_class)}"/>'
        )


@dataclass(frozen=True)
class Tick:
    """One step of the value axis: its value, its grid line and its label."""

    value: float
    label: str
    line: Line
    text: Text


@dataclass(frozen=True)
class LegendItem:
    """One legend entry: a swatch (a box, or a line for a line series) and its label."""

    label: str
    texts: list[Text]
    rect: Rect | None = None
    line: Line | None = None


@dataclass(frozen=True)
class Box:
    """The plot area inside the viewBox."""

    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Table:
    """The text alternative: every row's label first (a row header), then formatted values."""

    caption: str
    headers: list[str]
    rows: list[list[str]]


@dataclass
class Chart:
    """Everything a template needs to draw one chart, and to describe it without the picture."""

    kind: str  # "bar", "stacked_bar", "cumulative" or "progress"
    chart_id: str
    title: str
    description: str
    unit: str
    table: Table
    width: float = WIDTH
    height: float = 0.0
    is_empty: bool = False
    series: list[str] = field(default_factory=list)
    scale_max: float = 0.0
    plot: Box | None = None
    ticks: list[Tick] = field(default_factory=list)
    rects: list[Rect] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    legend: list[LegendItem] = field(default_factory=list)
    pattern_id: str | None = None  # the id of the hatch <pattern>, prefixed by chart_id
    summary: str = ""  # a plain sentence shown under the drawing (or instead of it when empty)

    @property
    def title_id(self) -> str:
        return f"{self.chart_id}-title"

    @property
    def desc_id(self) -> str:
        return f"{self.chart_id}-desc"

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width:g} {self.height:g}"


# Numbers and scales


def format_number(value: float) -> str:
    """A number in the user's language with at most one decimal: 12,5 and 1.234 in Dutch."""
    return decimal(value, 1)


class Unit(str):
    """A unit that counts things: the plural as the string, ``one`` for exactly one
    ("1 student", "2 studenten"). Build it with ``ngettext`` so each language picks its forms."""

    one: str

    def __new__(cls, one: str, many: str) -> Unit:
        unit = super().__new__(cls, many)
        unit.one = one
        return unit


def _unit(unit) -> str:
    return unit if isinstance(unit, Unit) else str(unit)


def format_amount(value: float, unit: str) -> str:
    """A number followed by its unit ("12,5 uur"); the bare number when there is no unit."""
    number = format_number(value)
    if isinstance(unit, Unit) and value == 1:
        unit = unit.one
    return f"{number} {unit}" if unit else number


def nice_scale(maximum: float) -> tuple[float, list[float]]:
    """The smallest 1, 2, 2.5 or 5 × 10^n (at least 1) that holds ``maximum``, and its ticks.

    The ticks run from 0 up to that maximum in 4 or 5 equal steps of at most one decimal.
    """
    maximum = _clean(maximum)
    if maximum <= 1:
        top, step = 1.0, 0.2
    else:
        power = 10.0 ** math.floor(math.log10(maximum))
        top, step = 10 * power, 2 * power
        for nice, nice_step in NICE_STEPS:
            # the tolerance keeps 3 × 0.1-style float noise from pushing a value up a step
            if nice * power >= maximum * (1 - 1e-9):
                top, step = nice * power, nice_step * power
                break
    count = round(top / step)
    return top, [round(i * step, 6) for i in range(count + 1)]


# The three charts


def bar_chart(
    title: str,
    rows: list[tuple[str, float]],
    *,
    unit: str,
    chart_id: str,
    description: str = "",
) -> Chart:
    """Horizontal bars, one per row, labelled above; the largest value spans the plot width."""
    title, unit = str(title), _unit(unit)
    _check_id(chart_id)
    table = Table(
        caption=title,
        headers=[_("Omschrijving"), _("Waarde")],
        rows=[[str(label), format_amount(value, unit)] for label, value in rows],
    )
    if not rows:
        return _empty("bar", chart_id, title, unit, table, description)
    values = [_clean(value) for _, value in rows]
    value_texts = [format_amount(value, unit) for _, value in rows]
    layout = _RowLayout(top=0.0, value_texts=value_texts)
    scale = max(values) or 1.0
    chart = Chart(
        kind="bar",
        chart_id=chart_id,
        title=title,
        description=description or _describe_rows(rows, values, unit, totals=False),
        unit=unit,
        table=table,
        scale_max=scale,
    )
    for (label, _value), value, value_text in zip(rows, values, value_texts, strict=True):
        y = layout.label(chart, str(label))
        width = layout.plot.width * value / scale
        chart.rects.append(
            Rect(
                _n(layout.plot.x),
                _n(y),
                _n(width),
                BAR_HEIGHT,
                "chart-bar series-0",
                tooltip=f"{label}: {value_text}",
            )
        )
        layout.value(chart, width, y, value_text)
    chart.height = layout.finish()
    chart.plot = layout.box()
    return chart


def stacked_bar_chart(
    title: str,
    rows: list[tuple[str, list[float]]],
    *,
    series: list[str],
    unit: str,
    chart_id: str,
    description: str = "",
) -> Chart:
    """Horizontal bars split into one segment per series, left to right in legend order; the
    largest row total spans the plot width, with each total written after its bar."""
    title, unit = str(title), _unit(unit)
    series = [str(name) for name in series]
    _check_id(chart_id)
    for label, values in rows:
        if len(values) != len(series):
            raise ValueError(f"row {label!r} has {len(values)} values for {len(series)} series")
    table = Table(
        caption=title,
        headers=[_("Omschrijving"), *series, _("Totaal")],
        rows=[
            [str(label), *(format_amount(v, unit) for v in [*values, sum(values)])]
            for label, values in rows
        ],
    )
    if not rows:
        return _empty("stacked_bar", chart_id, title, unit, table, description, series)
    cleaned = [[_clean(v) for v in values] for _, values in rows]
    totals = [sum(values) for values in cleaned]
    total_rows = [(str(label), total) for (label, _values), total in zip(rows, totals, strict=True)]
    total_texts = [format_amount(sum(values), unit) for _, values in rows]
    legend, legend_bottom = _legend(
        [(name, f"chart-swatch {_series_class(i)}", "box") for i, name in enumerate(series)],
        top=0.0,
    )
    layout = _RowLayout(top=legend_bottom, value_texts=total_texts)
    scale = max(totals) or 1.0
    chart = Chart(
        kind="stacked_bar",
        chart_id=chart_id,
        title=title,
        description=description or _describe_rows(total_rows, totals, unit, totals=True),
        unit=unit,
        table=table,
        series=series,
        scale_max=scale,
        legend=legend,
    )
    for (label, _values), values, total_text in zip(rows, cleaned, total_texts, strict=True):
        y = layout.label(chart, str(label))
        x = layout.plot.x
        for i, value in enumerate(values):
            width = layout.plot.width * value / scale
            chart.rects.append(
                Rect(
                    _n(x),
                    _n(y),
                    _n(width),
                    BAR_HEIGHT,
                    f"chart-bar {_series_class(i)}",
                    tooltip=f"{label}, {series[i]}: {format_amount(value, unit)}",
                )
            )
            inside = format_number(value)
            if value and width >= len(inside) * CHAR_WIDTH + VALUE_GAP:
                chart.texts.append(
                    Text(_n(x + width / 2), _n(_middle(y)), inside, "chart-value-inside", "middle")
                )
            x += width
        layout.value(chart, x - layout.plot.x, y, total_text)
    chart.height = layout.finish()
    chart.plot = layout.box()
    return chart


def cumulative_chart(
    title: str,
    points: list[tuple[str, float, float]],
    *,
    target: float | None,
    series: tuple[str, str],
    unit: str,
    chart_id: str,
    description: str = "",
) -> Chart:
    """One column per week: the first series solid, the second hatched on top of it, and a
    dashed line at the target; the scale holds the highest column and the target."""
    title, unit = str(title), _unit(unit)
    first, second = (str(name) for name in series)
    _check_id(chart_id)
    target_text = format_amount(target, unit) if target is not None else ""
    caption = title
    if target is not None:
        caption = _("%(title)s (afgesproken: %(value)s)", title=title, value=target_text)
    table = Table(
        caption=caption,
        headers=[_("Week"), first, second, _("Totaal")],
        rows=[
            [str(label), format_amount(v, unit), format_amount(p, unit), format_amount(v + p, unit)]
            for label, v, p in points
        ],
    )
    if not points:
        return _empty("cumulative", chart_id, title, unit, table, description, [first, second])

    last_label, last_first, last_second = points[-1]
    pattern_id = f"{chart_id}-pending"
    legend, legend_bottom = _legend(
        [
            (f"{first}: {format_amount(last_first, unit)}", "chart-swatch series-0", "box"),
            (
                f"{second}: {format_amount(last_second, unit)}",
                "chart-swatch chart-pending",
                "hatched",
            ),
        ],
        top=0.0,
    )
    columns = [(str(label), _clean(v), _clean(p)) for label, v, p in points]
    highest = max(v + p for _label, v, p in columns)
    scale, tick_values = nice_scale(max(highest, _clean(target or 0.0)))
    tick_labels = [format_number(value) for value in tick_values]
    axis_width = max(len(label) for label in tick_labels) * CHAR_WIDTH + VALUE_GAP
    plot = Box(
        x=_n(axis_width),
        y=_n(legend_bottom + FONT_SIZE + 12),
        width=_n(WIDTH - axis_width - 2),
        height=PLOT_HEIGHT,
    )
    bottom = plot.y + plot.height

    def y_of(value: float) -> float:
        return plot.y + plot.height * (1 - value / scale)

    description = description or _describe_cumulative(
        str(last_label), (first, second), (last_first, last_second), unit, target_text
    )
    chart = Chart(
        kind="cumulative",
        chart_id=chart_id,
        title=title,
        description=description,
        unit=unit,
        table=table,
        series=[first, second],
        scale_max=scale,
        plot=plot,
        legend=legend,
        pattern_id=pattern_id,
    )
    chart.texts.append(Text(0, _n(legend_bottom + FONT_SIZE), unit, "chart-axis-unit"))
    for value, label in zip(tick_values, tick_labels, strict=True):
        y = _n(y_of(value))
        chart.ticks.append(
            Tick(
                value=value,
                label=label,
                line=Line(plot.x, y, _n(plot.x + plot.width), y, "chart-grid"),
                text=Text(
                    _n(plot.x - VALUE_GAP), _n(y + FONT_SIZE * 0.35), label, "chart-tick", "end"
                ),
            )
        )

    slot = plot.width / len(columns)
    column_width = min(slot * COLUMN_FILL, MAX_COLUMN_WIDTH)
    for i, (label, verified, pending) in enumerate(columns):
        x = plot.x + i * slot + (slot - column_width) / 2
        tooltip = (
            f"{label}: {first} {format_amount(verified, unit)}, "
            f"{second} {format_amount(pending, unit)}"
        )
        top_of_verified = y_of(verified)
        chart.rects.append(
            Rect(
                _n(x),
                _n(top_of_verified),
                _n(column_width),
                _n(bottom - top_of_verified),
                "chart-bar series-0",
                tooltip=tooltip,
            )
        )
        top_of_pending = y_of(verified + pending)
        chart.rects.append(
            Rect(
                _n(x),
                _n(top_of_pending),
                _n(column_width),
                _n(top_of_verified - top_of_pending),
                "chart-bar chart-pending",
                hatched=True,
                tooltip=tooltip,
            )
        )
    chart.texts.extend(_week_labels([label for label, _v, _p in columns], plot, slot, bottom))
    chart.lines.append(Line(plot.x, _n(bottom), _n(plot.x + plot.width), _n(bottom), "chart-axis"))
    if target is not None:
        y = _n(y_of(_clean(target)))
        chart.lines.append(Line(plot.x, y, _n(plot.x + plot.width), y, "chart-target"))
        chart.texts.append(
            Text(
                _n(plot.x + 4),
                _n(y - 5),
                _("Afgesproken: %(value)s", value=target_text),
                "chart-target-label",
            )
        )
    chart.height = _n(bottom + LINE_HEIGHT + 6)
    return chart


def progress_chart(
    title: str,
    *,
    done: float,
    pending: float,
    target: float,
    expected: float | None,
    series: tuple[str, str, str],
    unit: str,
    chart_id: str,
    summary: str = "",
    description: str = "",
) -> Chart:
    """One bar on a track as long as the target (or the total, once past it): the done part
    solid, the pending part hatched after it, each at least MIN_VISIBLE wide when not zero so
    that 15 of 400 still shows, "15 van 400 uur" written next to it, and a dashed marker at the
    expected value. ``series`` names done, pending and expected; ``summary`` is a sentence shown
    with the chart. Without a target there is nothing to draw."""
    title, unit = str(title), _unit(unit)
    first, second, third = (str(name) for name in series)
    summary = str(summary)
    _check_id(chart_id)
    done, pending, target = _clean(done), _clean(pending), _clean(target)
    if expected is not None:
        expected = _clean(expected)
    figure = _(
        "%(done)s van %(target)s", done=format_number(done), target=format_amount(target, unit)
    )
    rows = [
        [first, format_amount(done, unit)],
        [second, format_amount(pending, unit)],
        [_("Afgesproken"), format_amount(target, unit)],
    ]
    if expected is not None:
        rows.append([third, format_amount(expected, unit)])
    table = Table(caption=title, headers=[_("Omschrijving"), _("Waarde")], rows=rows)
    text = _(
        "%(figure)s %(first)s, %(pending)s %(second)s.",
        figure=figure,
        first=first,
        pending=format_amount(pending, unit),
        second=second,
    )
    if expected is not None:
        text = f"{text} {third[:1].upper()}{third[1:]}: {format_amount(expected, unit)}."
    description = description or " ".join(part for part in (text, summary) if part)
    if not target:
        chart = _empty("progress", chart_id, title, unit, table, description, [first, second])
        chart.summary = summary
        return chart

    entries = [
        (f"{first}: {format_amount(done, unit)}", "chart-swatch series-0", "box"),
        (f"{second}: {format_amount(pending, unit)}", "chart-swatch chart-pending", "hatched"),
    ]
    if expected is not None:
        entries.append((f"{third}: {format_amount(expected, unit)}", "chart-expected", "line"))
    legend, legend_bottom = _legend(entries, top=0.0)
    y = _n(legend_bottom + MARKER_OVERHANG)
    plot = Box(x=1.0, y=y, width=WIDTH - 2, height=BAR_HEIGHT)
    scale = max(target, done + pending)
    chart = Chart(
        kind="progress",
        chart_id=chart_id,
        title=title,
        description=description,
        unit=unit,
        table=table,
        series=[first, second],
        scale_max=scale,
        plot=plot,
        legend=legend,
        pattern_id=f"{chart_id}-pending",
        summary=summary,
    )

    def width_of(value: float) -> float:
        return max(MIN_VISIBLE, plot.width * value / scale) if value else 0.0

    done_width = min(width_of(done), plot.width)
    pending_width = min(width_of(pending), plot.width - done_width)
    chart.rects.append(Rect(plot.x, y, plot.width, BAR_HEIGHT, "chart-track"))
    if done_width:
        chart.rects.append(
            Rect(
                plot.x,
                y,
                _n(done_width),
                BAR_HEIGHT,
                "chart-bar series-0",
                tooltip=f"{first}: {figure}",
            )
        )
    if pending_width:
        chart.rects.append(
            Rect(
                _n(plot.x + done_width),
                y,
                _n(pending_width),
                BAR_HEIGHT,
                "chart-bar chart-pending",
                hatched=True,
                tooltip=f"{second}: {format_amount(pending, unit)}",
            )
        )
    bottom = y + BAR_HEIGHT + MARKER_OVERHANG
    end = plot.x + done_width + pending_width
    # CHAR_WIDTH is an average: a figure of wide digits renders wider, so leave it room.
    figure_width = len(figure) * CHAR_WIDTH * 1.2
    marker = None
    if expected is not None:
        marker = _n(plot.x + plot.width * min(expected, scale) / scale)
    if end + VALUE_GAP + figure_width <= WIDTH:
        x = end + VALUE_GAP
        # step over the expected marker rather than have its dashes run through the figure
        if (
            marker is not None
            and x - 3 <= marker <= x + figure_width + 3
            and marker + VALUE_GAP + figure_width <= WIDTH
        ):
            x = marker + VALUE_GAP
        chart.texts.append(Text(_n(x), _n(_middle(y)), figure, "chart-value"))
    elif done_width >= figure_width + 2 * VALUE_GAP:
        chart.texts.append(
            Text(
                _n(plot.x + done_width - VALUE_GAP),
                _n(_middle(y)),
                figure,
                "chart-value-inside",
                "end",
            )
        )
    else:  # no room beside the bar: on its own line under it
        bottom += LINE_HEIGHT
        chart.texts.append(Text(plot.x, _n(bottom), figure, "chart-value"))
    if marker is not None:
        top, foot = _n(y - MARKER_OVERHANG), _n(y + BAR_HEIGHT + MARKER_OVERHANG)
        chart.lines.append(Line(marker, top, marker, foot, "chart-expected-halo"))
        chart.lines.append(Line(marker, top, marker, foot, "chart-expected"))
    scale_y = _n(bottom + LINE_HEIGHT)
    chart.texts.append(Text(plot.x, scale_y, format_number(0), "chart-tick"))
    chart.texts.append(
        Text(_n(plot.x + plot.width), scale_y, format_amount(scale, unit), "chart-tick", "end")
    )
    chart.height = _n(scale_y + 6)
    return chart


def hours_progress_chart(schedule, *, name: str | None = None, chart_id: str = "chart-hours"):
    """A student's hours chart from a ``tasks.services.HoursSchedule``: approved and waiting
    hours against the agreed BPV hours, the hours expected by today, and whether that is on
    schedule. ``name`` is the student's name when someone else looks ("je" otherwise)."""
    expected = None if schedule.expected is None else schedule.expected / 60
    return progress_chart(
        _("BPV-uren tot nu"),
        done=schedule.verified / 60,
        pending=schedule.pending / 60,
        target=schedule.agreed / 60,
        expected=expected,
        series=(_("goedgekeurd"), _("wacht op controle"), _("verwacht tot nu")),
        unit=_("uur"),
        chart_id=chart_id,
        summary=schedule_sentence(schedule, name=name),
    )


def schedule_sentence(schedule, *, name: str | None = None) -> str:
    """Whether the student is on schedule, in one plain sentence; "je" without a ``name``."""
    if schedule.status == "no_agreed":
        return _("Er zijn nog geen afgesproken BPV-uren, dus er is nog geen schema.")
    if schedule.status == "no_period":
        return _("Er is nog geen team met een begin- en einddatum, dus er is nog geen schema.")
    values = {
        # from the figures as shown (tenths of an hour), so that 121,4 − 27,5 reads as 93,9
        "hours": format_number(abs(_tenths(schedule.expected) - _tenths(schedule.verified))),
        "expected": format_number(_tenths(schedule.expected)),
        "name": name or "",
    }
    if schedule.status == "behind":
        if name:
            return _(
                "%(name)s loopt %(hours)s uur achter op schema "
                "(verwacht tot nu: %(expected)s uur).",
                **values,
            )
        return _(
            "Je loopt %(hours)s uur achter op schema (verwacht tot nu: %(expected)s uur).", **values
        )
    if schedule.status == "ahead":
        if name:
            return _(
                "%(name)s loopt %(hours)s uur voor op schema (verwacht tot nu: %(expected)s uur).",
                **values,
            )
        return _(
            "Je loopt %(hours)s uur voor op schema (verwacht tot nu: %(expected)s uur).", **values
        )
    if name:
        return _("%(name)s ligt op schema (verwacht tot nu: %(expected)s uur).", **values)
    return _("Je ligt op schema (verwacht tot nu: %(expected)s uur).", **values)


def _tenths(minutes: int) -> float:
    """Minutes as hours rounded to a tenth (6 minutes), half to even as the number format does."""
    return round(minutes / 6) / 10


# Layout helpers


class _RowLayout:
    """Stacks rows of (label lines, bar) downwards, with room right of the bars for values."""

    def __init__(self, *, top: float, value_texts: Sequence[str]) -> None:
        value_room = max(len(text) for text in value_texts) * CHAR_WIDTH + VALUE_GAP
        value_room = min(value_room, WIDTH / 3)
        self.plot = Box(x=1.0, y=top, width=_n(WIDTH - 1 - value_room), height=0.0)
        self.y = top

    def label(self, chart: Chart, label: str) -> float:
        """Write the row's label above its bar (wrapped, two lines at most); return the bar's y."""
        for line in _wrap(label, WIDTH - self.plot.x, LABEL_LINES):
            chart.texts.append(Text(self.plot.x, _n(self.y + FONT_SIZE), line, "chart-label"))
            self.y += LINE_HEIGHT
        self.y += BAR_GAP
        chart.rects.append(
            Rect(self.plot.x, _n(self.y), self.plot.width, BAR_HEIGHT, "chart-track")
        )
        return self.y

    def value(self, chart: Chart, bar_width: float, y: float, text: str) -> None:
        """Write the bar's value just after its end, and move on to the next row."""
        x = self.plot.x + bar_width + VALUE_GAP
        chart.texts.append(Text(_n(x), _n(_middle(y)), text, "chart-value"))
        self.y = y + BAR_HEIGHT + ROW_GAP

    def finish(self) -> float:
        return _n(self.y - ROW_GAP + 4)

    def box(self) -> Box:
        return Box(self.plot.x, self.plot.y, self.plot.width, _n(self.y - ROW_GAP - self.plot.y))


def _legend(entries: list[tuple[str, str, str]], *, top: float) -> tuple[list[LegendItem], float]:
    """Lay legend entries (label, swatch class, swatch: "box", "hatched" or "line") out left to
    right, wrapping to a new row when the next one does not fit; return them and the y just below
    the legend."""
    items: list[LegendItem] = []
    x, y = 0.0, top
    for label, css_class, swatch in entries:
        text = _wrap(label, WIDTH - SWATCH - 6, 1)[0]
        width = SWATCH + 6 + len(text) * CHAR_WIDTH
        if x > 0 and x + width > WIDTH:
            x, y = 0.0, y + LINE_HEIGHT + 2
        rect = line = None
        if swatch == "line":
            line = Line(_n(x + SWATCH / 2), _n(y + 1), _n(x + SWATCH / 2), _n(y + 17), css_class)
        else:
            rect = Rect(_n(x), _n(y + 3), SWATCH, SWATCH, css_class, hatched=swatch == "hatched")
        items.append(
            LegendItem(
                label=label,
                rect=rect,
                line=line,
                texts=[Text(_n(x + SWATCH + 6), _n(y + FONT_SIZE), text, "chart-legend-label")],
            )
        )
        x += width + LEGEND_GAP
    return items, _n(y + LINE_HEIGHT + 10)


def _week_labels(labels: list[str], plot: Box, slot: float, bottom: float) -> list[Text]:
    """Label every n-th column under the axis, counting back from the latest so it is always
    labelled; n is the smallest that keeps the labels apart (edge labels pulled in included)."""
    label_width = max(len(label) for label in labels) * CHAR_WIDTH
    fitting = max(1, int(plot.width // (label_width + LABEL_SPACING)))
    for every in range(math.ceil(len(labels) / fitting), len(labels) + 1):
        texts = _spaced_labels(labels, every, plot, slot, bottom)
        if texts is not None:
            return texts
    return []  # not even the latest label fits: the table has them all


def _spaced_labels(
    labels: list[str], every: int, plot: Box, slot: float, bottom: float
) -> list[Text] | None:
    """Every n-th label from the latest backwards, or None when two of them would touch."""
    texts: list[Text] = []
    left_of_previous = float("inf")
    for i in range(len(labels) - 1, -1, -every):
        width = len(labels[i]) * CHAR_WIDTH
        centre = plot.x + (i + 0.5) * slot
        if centre + width / 2 > WIDTH:
            start, x, anchor = WIDTH - width, WIDTH, "end"
        elif centre - width / 2 < 0:
            start, x, anchor = 0.0, 0.0, "start"
        else:
            start, x, anchor = centre - width / 2, centre, "middle"
        if start + width + LABEL_SPACING > left_of_previous or start < 0:
            return None
        left_of_previous = start
        texts.append(Text(_n(x), _n(bottom + LINE_HEIGHT), labels[i], "chart-axis-label", anchor))
    return texts[::-1]


def _wrap(text: str, max_width: float, max_lines: int) -> list[str]:
    """Break text at spaces into at most ``max_lines`` lines that fit ``max_width``; a cut-off
    last line ends in an ellipsis, and a word longer than a line is broken."""
    per_line = max(2, int(max_width // CHAR_WIDTH))
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= per_line:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = word
        while len(current) > per_line:
            lines.append(current[:per_line])
            current = current[per_line:]
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: per_line - 1].rstrip() + "…"
    return lines or [""]


def _describe_rows(
    rows: Sequence[tuple[str, float]], values: list[float], unit: str, *, totals: bool
) -> str:
    """Name the highest row and the overall total; say so when every value is zero."""
    total = format_amount(sum(values), unit)
    if not any(values):
        return _("Alle waarden zijn %(value)s.", value=format_amount(0, unit))
    highest = max(range(len(values)), key=values.__getitem__)
    label = str(rows[highest][0])
    value = format_amount(values[highest], unit)
    if totals:
        return _(
            "Hoogste totaal: %(label)s, %(value)s. Samen: %(total)s.",
            label=label,
            value=value,
            total=total,
        )
    return _(
        "Hoogste: %(label)s, %(value)s. Samen: %(total)s.", label=label, value=value, total=total
    )


def _describe_cumulative(
    week: str, series: tuple[str, str], values: tuple[float, float], unit: str, target_text: str
) -> str:
    """State both series at the latest week, and the target when there is one."""
    text = _(
        "Tot en met %(week)s: %(first)s %(first_value)s, %(second)s %(second_value)s.",
        week=week,
        first=series[0],
        first_value=format_amount(values[0], unit),
        second=series[1],
        second_value=format_amount(values[1], unit),
    )
    if target_text:
        text = f"{text} {_('Afgesproken: %(value)s', value=target_text)}."
    return text


def _empty(
    kind: str,
    chart_id: str,
    title: str,
    unit: str,
    table: Table,
    description: str,
    series: list[str] | None = None,
) -> Chart:
    """A chart with nothing to draw: the template shows a short sentence instead."""
    return Chart(
        kind=kind,
        chart_id=chart_id,
        title=title,
        description=description or _("Nog geen gegevens voor deze periode."),
        unit=unit,
        table=table,
        is_empty=True,
        series=list(series or []),
    )


def _check_id(chart_id: str) -> None:
    """A chart id is an HTML id usable in url(#...): a letter, then letters, digits, - and _."""
    if not CHART_ID.match(chart_id):
        raise ValueError(f"chart_id {chart_id!r}: a letter, then letters, digits, - or _")


def _clean(value: float) -> float:
    """A value as drawn: negatives, NaN and infinities draw as zero."""
    value = float(value)
    return value if math.isfinite(value) and value > 0 else 0.0


def _series_class(index: int) -> str:
    return f"series-{index % SERIES_CLASSES}"


def _middle(bar_y: float) -> float:
    """The baseline that centres a line of text on a bar starting at ``bar_y``."""
    return bar_y + BAR_HEIGHT / 2 + FONT_SIZE * 0.35


def _n(value: float) -> float:
    """Round a coordinate to two decimals: enough for the screen, and a compact SVG."""
    return round(value, 2) + 0.0  # + 0.0 turns -0.0 into 0.0
