"""The hours chart: approved hours against the agreed BPV hours, with a bar that stays visible for
a small amount, the hours expected by today and a sentence whether the student is on schedule."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest

from tests import factories
from wijklab.extensions import db
from wijklab.reports.charts import (
    CHAR_WIDTH,
    MIN_VISIBLE,
    WIDTH,
    hours_progress_chart,
    progress_chart,
    schedule_sentence,
)
from wijklab.tasks.services import HoursSchedule, hours_schedule, placement_period

# make_project's default placement: 1 Sep 2026 to 30 Jun 2027, 303 days.
START, END = date(2026, 9, 1), date(2027, 6, 30)
AGREED = 400 * 60


@pytest.fixture
def request_ctx(app):
    with app.test_request_context("/"):
        yield


def figure_of(html: str, chart_id: str) -> ET.Element:
    """The chart's <figure> from a page, parsed as XML (our own markup is well formed)."""
    match = re.search(rf'<figure class="chart[^"]*" id="{chart_id}">.*?</figure>', html, re.S)
    assert match, f"no {chart_id} on the page"
    return ET.fromstring(match.group(0))  # noqa: S314 (our own output)


def shapes(figure: ET.Element, css_class: str) -> list[ET.Element]:
    return [el for el in figure.iter() if css_class in (el.get("class") or "").split()]


def texts(figure: ET.Element) -> list[str]:
    return [t.text for t in figure.find("svg").iter("text")]


def summary(figure: ET.Element) -> str:
    (p,) = [p for p in figure.iter("p") if p.get("class") in ("chart-summary", "chart-empty")]
    return p.text


def placed_student(agreed_bpv_hours=400, verified_minutes=(), pending_minutes=()):
    """A student in a team for make_project's placement, with approved and waiting tasks."""
    student = factories.make_student(agreed_bpv_hours=agreed_bpv_hours)
    team = factories.make_team(members=[student])
    for minutes in verified_minutes:
        factories.make_task(team, [student], minutes=minutes, status="verified", date=START)
    for minutes in pending_minutes:
        factories.make_task(team, [student], minutes=minutes, status="pending", date=START)
    db.session.flush()
    return student, team


# The schedule


def schedule(verified, today, *, agreed=AGREED, start=START, end=END):
    return hours_schedule(
        verified=verified, pending=0, agreed=agreed, start=start, end=end, today=today
    )


def test_expected_hours_spread_the_agreed_hours_evenly_over_the_placement_days(app):
    # 15 Jan 2027 is day 137 of 303: 400 × 137 / 303 = 180,85 hours.
    assert schedule(0, date(2027, 1, 15)).expected == round(AGREED * 137 / 303)


def test_nothing_is_expected_before_the_start_and_everything_after_the_end(app):
    assert schedule(0, date(2026, 8, 1)).expected == 0
    assert schedule(0, date(2026, 8, 1)).status == "on_track"
    assert schedule(0, date(2027, 9, 1)).expected == AGREED


@pytest.mark.parametrize(
    ("verified", "status"),
    [(950, "on_track"), (950 - 95, "on_track"), (950 + 95, "on_track"), (800, "behind")],
)
def test_within_ten_percent_of_the_expected_hours_is_on_schedule(app, verified, status):
    # 12 Sep 2026 is day 12: 950 minutes expected, 95 minutes either way is on schedule.
    assert schedule(0, date(2026, 9, 12)).expected == 950
    assert schedule(verified, date(2026, 9, 12)).status == status


def test_early_on_an_hour_either_way_is_still_on_schedule(app):
    # Day 1: 79 minutes expected; 10 % would be 8 minutes, the margin is an hour.
    assert schedule(79 + 60, START).status == "on_track"
    assert schedule(79 + 61, START).status == "ahead"


def test_without_agreed_hours_or_dates_there_is_no_schedule(app):
    assert schedule(900, date(2027, 1, 15), agreed=0).status == "no_agreed"
    assert schedule(900, date(2027, 1, 15), end=None).status == "no_period"
    assert schedule(900, date(2027, 1, 15), start=None, end=None).expected is None


def test_placement_runs_from_joining_to_the_end_of_the_last_team(app):
    student, team = placed_student()
    later = factories.make_team(
        project=factories.make_project(start_date=date(2027, 2, 1), end_date=date(2027, 8, 31))
    )
    db.session.add(
        team.memberships[0].__class__(team=later, student=student, joined_on=date(2027, 3, 1))
    )
    db.session.flush()
    assert placement_period(student) == (START, date(2027, 8, 31))
    assert placement_period(factories.make_student()) == (None, None)


# The drawing


def test_fifteen_of_four_hundred_hours_shows_a_visible_bar_with_the_figure(request_ctx):
    chart = progress_chart(
        "Uren",
        done=15,
        pending=0,
        target=400,
        expected=None,
        series=("goedgekeurd", "wacht op controle", "verwacht tot nu"),
        unit="uur",
        chart_id="c",
    )
    (bar,) = [r for r in chart.rects if "series-0" in r.css_class.split()]
    assert bar.width >= MIN_VISIBLE
    assert bar.width == pytest.approx(
        (WIDTH - 2) * 15 / 400, abs=0.01
    )  # a true-scale 11.9: wide enough
    (value,) = [t for t in chart.texts if t.css_class == "chart-value"]
    assert value.text == "15 van 400 uur"
    assert value.x > bar.x + bar.width  # written next to the bar, not over it


def test_a_tiny_amount_still_gets_the_minimum_width(request_ctx):
    chart = progress_chart(
        "Uren",
        done=0.5,
        pending=0.5,
        target=400,
        expected=100,
        series=("goedgekeurd", "wacht op controle", "verwacht tot nu"),
        unit="uur",
        chart_id="c",
    )
    done, pending = [r for r in chart.rects if "chart-bar" in r.css_class.split()]
    assert done.width == MIN_VISIBLE and pending.width == MIN_VISIBLE
    assert pending.x == done.x + done.width and pending.hatched


@pytest.mark.parametrize(
    ("done", "pending", "expected"),
    [(0, 0, 0), (15, 3, 120), (390, 0, 400), (5, 390, 200), (600, 10, 400), (1234.5, 0, 1999)],
)
def test_every_text_and_shape_stays_within_the_narrow_chart(request_ctx, done, pending, expected):
    chart = progress_chart(
        "Uren",
        done=done,
        pending=pending,
        target=400,
        expected=expected,
        series=("goedgekeurd", "wacht op controle", "verwacht tot nu"),
        unit="uur",
        chart_id="c",
    )
    for text in chart.texts:
        width = len(text.text) * CHAR_WIDTH
        left = {"start": text.x, "middle": text.x - width / 2, "end": text.x - width}[text.anchor]
        assert left >= 0 and left + width <= WIDTH, text
        assert text.y <= chart.height
    for rect in chart.rects:
        assert rect.x >= 0 and rect.x + rect.width <= WIDTH + 0.01
    (marker, _dashes) = chart.lines
    assert 0 <= marker.x1 <= WIDTH


def test_past_the_agreed_hours_the_bar_fills_the_track(request_ctx):
    chart = progress_chart(
        "Uren",
        done=450,
        pending=0,
        target=400,
        expected=400,
        series=("goedgekeurd", "wacht op controle", "verwacht tot nu"),
        unit="uur",
        chart_id="c",
    )
    (track,) = [r for r in chart.rects if r.css_class == "chart-track"]
    (bar,) = [r for r in chart.rects if "chart-bar" in r.css_class.split()]
    assert bar.width == track.width
    assert "450 van 400 uur" in [t.text for t in chart.texts]


def test_the_difference_matches_the_rounded_figures_the_sentence_shows(request_ctx):
    behind = HoursSchedule(1649, 0, AGREED, START, END, 7286, "behind")
    assert schedule_sentence(behind) == (
        "Je loopt 93,9 uur achter op schema (verwacht tot nu: 121,4 uur)."
    )


# The pages


def test_dashboard_says_behind_schedule_with_the_expected_hours(client, login_as, clock):
    student, _team = placed_student(verified_minutes=[900], pending_minutes=[300])
    clock.set(date(2027, 1, 16))  # day 138 of 303: 182,2 hours expected
    login_as(student)
    response = client.get("/")
    assert response.status_code == 200
    figure = figure_of(response.get_data(as_text=True), "chart-hours")
    assert summary(figure) == "Je loopt 167,2 uur achter op schema (verwacht tot nu: 182,2 uur)."
    svg = figure.find("svg")
    assert svg.get("role") == "img"
    desc = svg.find("desc").text
    assert "15 van 400 uur goedgekeurd, 5 uur wacht op controle." in desc
    assert "Verwacht tot nu: 182,2 uur." in desc and "achter op schema" in desc
    assert "15 van 400 uur" in texts(figure)
    (done,) = shapes(figure, "series-0")[1:]  # the first is the legend swatch
    assert float(done.get("width")) >= MIN_VISIBLE
    (pending,) = [r for r in shapes(figure, "chart-pending") if r.get("fill")][1:]
    assert pending.get("fill") == "url(#chart-hours-pending)"
    (marker,) = shapes(figure, "chart-expected")[1:]
    assert float(marker.get("x1")) == pytest.approx(1 + 318 * 182.2 / 400, abs=0.1)
    rows = [[c.text for c in tr] for tr in figure.find(".//tbody")]
    assert rows == [
        ["goedgekeurd", "15 uur"],
        ["wacht op controle", "5 uur"],
        ["Afgesproken", "400 uur"],
        ["verwacht tot nu", "182,2 uur"],
    ]


def test_dashboard_says_on_schedule(client, login_as, clock):
    student, _team = placed_student(verified_minutes=[900])
    clock.set(date(2026, 9, 12))  # 15,8 hours expected
    login_as(student)
    figure = figure_of(client.get("/").get_data(as_text=True), "chart-hours")
    assert summary(figure) == "Je ligt op schema (verwacht tot nu: 15,8 uur)."


def test_dashboard_says_ahead_of_schedule(client, login_as, clock):
    student, _team = placed_student(verified_minutes=[900])
    clock.set(START)  # 1,3 hours expected
    login_as(student)
    figure = figure_of(client.get("/").get_data(as_text=True), "chart-hours")
    assert summary(figure) == "Je loopt 13,7 uur voor op schema (verwacht tot nu: 1,3 uur)."


def test_hours_waiting_for_checking_do_not_count_towards_the_schedule(client, login_as, clock):
    student, _team = placed_student(pending_minutes=[900])
    clock.set(START + (date(2026, 9, 12) - START))
    login_as(student)
    figure = figure_of(client.get("/").get_data(as_text=True), "chart-hours")
    assert summary(figure).startswith("Je loopt 15,8 uur achter op schema")
    assert "0 van 400 uur" in texts(figure)


def test_without_agreed_hours_the_chart_says_so_instead_of_drawing(client, login_as, clock):
    student, _team = placed_student(agreed_bpv_hours=0, verified_minutes=[900])
    clock.set(date(2027, 1, 16))  # day 138 of 303: 182,2 hours expected
    login_as(student)
    response = client.get("/")
    assert response.status_code == 200
    figure = figure_of(response.get_data(as_text=True), "chart-hours")
    assert figure.find("svg") is None
    assert summary(figure) == "Er zijn nog geen afgesproken BPV-uren, dus er is nog geen schema."


def test_without_a_team_there_are_no_dates_and_no_expected_line(client, login_as, clock):
    student = factories.make_student(agreed_bpv_hours=400)
    clock.set(date(2027, 1, 16))  # day 138 of 303: 182,2 hours expected
    login_as(student)
    response = client.get("/")
    assert response.status_code == 200
    figure = figure_of(response.get_data(as_text=True), "chart-hours")
    assert summary(figure) == (
        "Er is nog geen team met een begin- en einddatum, dus er is nog geen schema."
    )
    assert "0 van 400 uur" in texts(figure)
    assert not shapes(figure, "chart-expected")


def test_hours_page_shows_the_chart_to_the_student(client, login_as, clock):
    student, _team = placed_student(verified_minutes=[900])
    clock.set(date(2027, 1, 16))  # day 138 of 303: 182,2 hours expected
    login_as(student)
    response = client.get(f"/students/{student.id}/hours")
    assert response.status_code == 200
    figure = figure_of(response.get_data(as_text=True), "chart-hours")
    assert summary(figure).startswith("Je loopt 167,2 uur achter op schema")


def test_hours_page_names_the_student_to_their_supervisor(client, login_as, clock):
    student, team = placed_student(verified_minutes=[900])
    clock.set(date(2027, 1, 16))  # day 138 of 303: 182,2 hours expected
    login_as(team.supervisor)
    response = client.get(f"/students/{student.id}/hours")
    assert response.status_code == 200
    figure = figure_of(response.get_data(as_text=True), "chart-hours")
    assert summary(figure) == (
        f"{student.name} loopt 167,2 uur achter op schema (verwacht tot nu: 182,2 uur)."
    )


def test_hours_page_of_another_team_stays_closed_to_a_supervisor(client, login_as, clock):
    student, _team = placed_student(verified_minutes=[900])
    login_as(factories.make_team().supervisor)
    assert client.get(f"/students/{student.id}/hours").status_code == 404


def test_english_page_writes_numbers_the_english_way(client, login_as, clock):
    student, _team = placed_student(verified_minutes=[750])
    student.locale = "en"
    db.session.flush()
    clock.set(date(2027, 1, 16))  # day 138 of 303: 182,2 hours expected
    login_as(student)
    response = client.get("/")
    assert response.status_code == 200
    figure = figure_of(response.get_data(as_text=True), "chart-hours")
    drawn = " ".join(texts(figure))
    assert "12.5" in drawn and "12,5" not in drawn
    assert "169.7" in summary(figure) and "182.2" in summary(figure)


def test_chart_is_built_the_same_for_the_dashboard_and_the_hours_page(request_ctx):
    got = hours_progress_chart(schedule(900, date(2027, 1, 16)), name="Zoë")
    assert got.chart_id == "chart-hours" and got.kind == "progress"
    assert got.summary.startswith("Zoë loopt 167,2 uur achter")


def test_a_half_tenth_rounds_the_same_in_the_difference_and_the_expected_hours(request_ctx):
    # 7287 minutes is 121,45 hours: shown as 121,4, so the difference with 27,5 is 93,9.
    behind = HoursSchedule(1650, 0, AGREED, START, END, 7287, "behind")
    assert schedule_sentence(behind) == (
        "Je loopt 93,9 uur achter op schema (verwacht tot nu: 121,4 uur)."
    )


def test_the_figure_steps_over_the_expected_marker_when_there_is_room(request_ctx):
    chart = progress_chart(
        "Uren",
        done=27.5,
        pending=8,
        target=400,
        expected=121.4,
        series=("goedgekeurd", "wacht op controle", "verwacht tot nu"),
        unit="uur",
        chart_id="c",
    )
    (value,) = [t for t in chart.texts if t.css_class == "chart-value"]
    marker = chart.lines[-1].x1
    assert value.x > marker or value.x + len(value.text) * CHAR_WIDTH < marker
