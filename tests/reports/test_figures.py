"""The figures on every dashboard and report, checked against numbers computed by hand on one
fixed dataset (the ``lab`` fixture), and the number of queries those pages run.

Every date is fixed relative to TODAY, Wednesday 13 January 2027: this week starts on Monday
11 January; 2 January 2027 still belongs to ISO week 53 of 2026. The neighbourhood period is
December 2026. The expected numbers are literals; the comments show the sums behind them.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import openpyxl
import pytest
from pypdf import PdfReader

from tests import factories
from tests.test_query_counts import count_for
from wijklab.extensions import db
from wijklab.projects.models import ProjectStatus
from wijklab.reports.services import (
    neighbourhood_figures,
    placement_schools,
    placements,
    running_activities,
    student_progress,
    supervision_this_month,
    supervisor_load,
    wijkdocent_overview,
    wijkdocent_signals,
)
from wijklab.tasks.models import (
    Category,
    SupervisionSession,
    Task,
    TaskParticipation,
    TaskStatus,
)
from wijklab.teams.models import TeamMembership

TODAY = date(2027, 1, 13)
DECEMBER = {"start": date(2026, 12, 1), "end": date(2026, 12, 31)}
DECEMBER_QUERY = "start=2026-12-01&end=2026-12-31"

V, P, R = TaskStatus.VERIFIED, TaskStatus.PENDING, TaskStatus.RETURNED


def at_noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def log(team, day, category, status, minutes: dict, residents: int = 0, place: str = "") -> Task:
    """A task of ``team`` crediting each student with their own minutes."""
    task = Task(
        team=team,
        author=next(iter(minutes)),
        date=day,
        title=f"{category.value} {day.isoformat()}",
        category=category,
        status=status,
        residents_reached=residents,
        place=place,
    )
    for student, spent in minutes.items():
        task.participations.append(TaskParticipation(student=student, minutes=spent))
    db.session.add(task)
    db.session.commit()
    return task


def supervise(team, supervisor, day: date, minutes: int) -> None:
    db.session.add(
        SupervisionSession(team_id=team.id, supervisor=supervisor, date=day, minutes=minutes)
    )
    db.session.commit()


def set_hours(supervisor, per_week: int) -> None:
    supervisor.supervisor_profile.supervision_hours_per_week = per_week
    db.session.commit()


@pytest.fixture
def pinned_today(clock):
    """Pin the app's clock to TODAY."""
    clock.set(TODAY)
    return TODAY


@pytest.fixture
def lab(app):
    """Two wijkdocenten, two neighbourhoods, three schools, three partners, four teams.

    Marloes: "Samen koken" (active, Transvaal, Buurthuis De Mussen, at least 2 mbo and 1 hbo,
    at most 6) with De Pannenkoeken (Petra, 2 h/week: Ayşe mbo, Daan mbo, Emma hbo, Finn hbo)
    and De Stoofpotten (Karim, 1 h/week: Noor mbo, Sem hbo, Lotte hbo who joined on 4 January,
    and Gijs mbo who left on 1 October); "Oud project" (completed, Transvaal, Welzijn
    Scheveningen) with De Kempers (Ingrid: Ruben mbo).
    Henk: "Buurtmoestuin" (active, Duindorp, Welzijn Scheveningen) with De Moestuiniers
    (Ingrid, 3 h/week: Mila hbo, Yusuf mbo).
    """
    make = factories
    marloes = make.make_user("wijkdocent", name="Marloes Docent")
    henk = make.make_user("wijkdocent", name="Henk Docent")
    transvaal = make.make_neighbourhood(name="Transvaal")
    duindorp = make.make_neighbourhood(name="Duindorp")
    roc = make.make_organisation("school", name="ROC Mondriaan")
    hhs = make.make_organisation("school", name="De Haagse Hogeschool")
    inholland = make.make_organisation("school", name="Hogeschool Inholland")
    mussen = make.make_organisation(name="Buurthuis De Mussen", neighbourhood=transvaal)
    welzijn = make.make_organisation(name="Welzijn Scheveningen", neighbourhood=duindorp)
    leerbedrijf = make.make_organisation(name="Stichting Leerbedrijf")

    petra = make.make_supervisor(organisation=mussen, name="Petra de Vries")
    karim = make.make_supervisor(organisation=mussen, name="Karim Bouali")
    ingrid = make.make_supervisor(organisation=welzijn, name="Ingrid Smit")
    retired = make.make_supervisor(organisation=welzijn, name="Oud Begeleider", is_active=False)
    for supervisor, per_week in ((petra, 2), (karim, 1), (ingrid, 3), (retired, 2)):
        set_hours(supervisor, per_week)

    def student(name, level, year, school, **values):
        return make.make_student(level=level, study_year=year, school=school, name=name, **values)

    ayse = student("Ayşe Yılmaz", "mbo", 2, roc, agreed_bpv_hours=400)
    daan = student("Daan de Jong", "mbo", 3, roc)
    emma = student("Emma Visser", "hbo", 1, hhs)
    finn = student("Finn Bakker", "hbo", 4, hhs)
    noor = student("Noor El Amrani", "mbo", 2, roc)
    sem = student("Sem Jansen", "hbo", 3, hhs)
    lotte = student("Lotte de Wit", "hbo", 2, hhs)
    gijs = student("Gijs Mulder", "mbo", 2, roc)
    ruben = student("Ruben Smits", "mbo", 4, roc)
    mila = student("Mila Hendriks", "hbo", 2, inholland)
    yusuf = student("Yusuf Demir", "mbo", 1, roc)
    bram = student("Bram Vos", "mbo", 1, roc)  # in no team
    iris = student("Iris Kok", "mbo", 1, roc, is_active=False)  # deactivated, in no team
    sara = student("Sara Peters", "hbo", 3, hhs)  # in no team
    tom = student("Tom Brouwer", "hbo", 2, inholland)  # in no team

    koken = make.make_project(
        owner=marloes,
        partner=mussen,
        neighbourhood=transvaal,
        title="Samen koken",
        status=ProjectStatus.ACTIVE,
        min_mbo=2,
        min_hbo=1,
        max_size=6,
    )
    oud = make.make_project(
        owner=marloes,
        partner=welzijn,
        neighbourhood=transvaal,
        title="Oud project",
        status=ProjectStatus.COMPLETED,
        end_date=date(2026, 12, 18),
    )
    moestuin = make.make_project(
        owner=henk,
        partner=welzijn,
        neighbourhood=duindorp,
        title="Buurtmoestuin",
        status=ProjectStatus.ACTIVE,
        min_mbo=2,
        min_hbo=1,
        max_size=6,
    )
    pannenkoeken = make.make_team(
        project=koken,
        supervisor=petra,
        members=[ayse, daan, emma, finn],
        name="De Pannenkoeken",
    )
    stoofpotten = make.make_team(
        project=koken,
        supervisor=karim,
        members=[noor, sem, gijs],
        name="De Stoofpotten",
    )
    next(m for m in stoofpotten.memberships if m.student == gijs).left_on = date(2026, 10, 1)
    db.session.add(TeamMembership(team=stoofpotten, student=lotte, joined_on=date(2027, 1, 4)))
    db.session.commit()
    kempers = make.make_team(project=oud, supervisor=ingrid, members=[ruben], name="De Kempers")
    moestuiniers = make.make_team(
        project=moestuin,
        supervisor=ingrid,
        members=[mila, yusuf],
        name="De Moestuiniers",
    )

    c = Category
    # De Pannenkoeken
    log(
        pannenkoeken,
        date(2027, 1, 12),
        c.RESIDENTS_ACTIVITY,
        V,
        {ayse: 90, emma: 60},
        25,
        "Mosplein",
    )
    log(
        pannenkoeken,
        date(2027, 1, 11),
        c.INDIVIDUAL_SUPPORT,
        P,
        {ayse: 30},
        0,
        "Wasstraat",
    )
    log(
        pannenkoeken,
        date(2026, 12, 10),
        c.NETWORK,
        V,
        {ayse: 120, daan: 120, emma: 60},
        0,
        "Wasstraat",
    )
    log(pannenkoeken, date(2026, 12, 15), c.INDIVIDUAL_SUPPORT, V, {emma: 30}, 1)
    log(pannenkoeken, date(2026, 12, 31), c.RESEARCH, P, {daan: 60}, 0, "Kempstraat")
    log(pannenkoeken, date(2026, 11, 30), c.RESIDENTS_ACTIVITY, V, {finn: 120}, 40)
    log(pannenkoeken, date(2027, 1, 2), c.INFORMATION, V, {ayse: 30}, 10)
    # De Stoofpotten
    log(
        stoofpotten,
        date(2026, 12, 20),
        c.ORGANISATION,
        V,
        {noor: 60, sem: 90},
        0,
        " mosplein",
    )
    log(
        stoofpotten,
        date(2026, 12, 22),
        c.INDIVIDUAL_SUPPORT,
        R,
        {noor: 30},
        2,
        "Wasstraat",
    )
    log(stoofpotten, date(2027, 1, 12), c.STUDY_ASSIGNMENT, P, {sem: 45, noor: 45})
    log(
        stoofpotten,
        date(2026, 12, 5),
        c.RESIDENTS_ACTIVITY,
        P,
        {sem: 60},
        8,
        "Mosplein",
    )
    # De Kempers (completed project, same neighbourhood)
    log(
        kempers,
        date(2026, 12, 8),
        c.RESIDENTS_ACTIVITY,
        V,
        {ruben: 120},
        30,
        "kempstraat",
    )
    # De Moestuiniers (Henk's, other neighbourhood)
    log(
        moestuiniers,
        date(2026, 12, 12),
        c.RESIDENTS_ACTIVITY,
        V,
        {mila: 60, yusuf: 60},
        50,
        "Mosplein",
    )

    supervise(pannenkoeken, petra, date(2026, 12, 31), 60)
    supervise(pannenkoeken, petra, date(2027, 1, 5), 45)
    supervise(pannenkoeken, petra, date(2027, 1, 12), 45)
    supervise(stoofpotten, karim, date(2026, 12, 16), 30)
    supervise(stoofpotten, karim, date(2027, 1, 8), 60)
    supervise(kempers, ingrid, date(2026, 11, 20), 60)
    supervise(moestuiniers, ingrid, date(2026, 12, 28), 90)
    supervise(moestuiniers, ingrid, date(2027, 1, 4), 30)

    goal = make.make_goal
    goal(
        team=pannenkoeken,
        student=ayse,
        status="draft",
        title="Een buurtmaaltijd organiseren",
    )
    goal(
        team=pannenkoeken,
        student=ayse,
        status="signed_off",
        title="Kennismaken met de wijk",
    )
    goal(team=pannenkoeken, student=daan, status="active", title="Een netwerkkaart maken")
    stuck = goal(
        team=pannenkoeken,
        student=emma,
        status="review_requested",
        title="Een bewonersgesprek voeren",
        updated_at=at_noon(TODAY - timedelta(days=10)),
    )
    recent = goal(
        team=pannenkoeken,
        student=finn,
        status="review_requested",
        title="Een activiteit evalueren",
        updated_at=at_noon(TODAY - timedelta(days=6)),
    )
    goal(
        team=stoofpotten,
        student=noor,
        status="active",
        title="Samenwerken met de vereniging",
    )
    henks_stuck = goal(
        team=moestuiniers,
        student=mila,
        status="review_requested",
        title="Een moestuin plannen",
        updated_at=at_noon(TODAY - timedelta(days=10)),
    )
    students = [
        ayse,
        daan,
        emma,
        finn,
        noor,
        sem,
        lotte,
        gijs,
        ruben,
        mila,
        yusuf,
        bram,
        iris,
    ]
    return SimpleNamespace(**locals(), all_students=students + [sara, tom])


def rows_by_team(overview: dict) -> dict:
    return {row["team"].name: row for row in overview["rows"]}


def row_of(html: str, text: str) -> str:
    """The table row (``<tr>`` to ``</tr>``) that contains ``text``."""
    at = html.index(text)
    return html[html.rindex("<tr", 0, at) : html.index("</tr>", at)]


# --- wijkdocent_overview --------------------------------------------------------------------------


def test_overview_counts_current_members_by_level_per_team(lab):
    rows = rows_by_team(wijkdocent_overview(lab.marloes, today=TODAY, page=1))
    assert list(rows) == ["De Pannenkoeken", "De Stoofpotten"]
    assert rows["De Pannenkoeken"]["levels"] == {
        "mbo": 2,
        "hbo": 2,
    }  # Ayşe, Daan / Emma, Finn
    # Noor / Sem, Lotte; Gijs left in October
    assert rows["De Stoofpotten"]["levels"] == {"mbo": 1, "hbo": 2}


def test_overview_sums_logged_verified_and_pending_minutes_this_week_and_in_all(lab):
    rows = rows_by_team(wijkdocent_overview(lab.marloes, today=TODAY, page=1))
    assert rows["De Pannenkoeken"]["hours"] == {
        # 150 (12 Jan) + 30 (11 Jan) + 300 (10 Dec) + 30 (15 Dec) + 60 (31 Dec) + 120 (30 Nov)
        # + 30 (2 Jan)
        "logged": 720,
        # 150 + 300 + 30 + 120 + 30
        "verified": 630,
        # 90 + 60 verified on 12 Jan + 30 pending on 11 Jan
        "logged_week": 180,
        "verified_week": 150,
        # 30 (11 Jan) + 60 (31 Dec)
        "pending": 90,
    }
    assert rows["De Stoofpotten"]["hours"] == {
        # 150 verified (20 Dec) + 30 returned (22 Dec) + 90 pending (12 Jan) + 60 pending (5 Dec)
        "logged": 330,
        "verified": 150,
        "logged_week": 90,  # 45 + 45 on 12 Jan
        "verified_week": 0,
        "pending": 150,  # 90 + 60
    }


def test_overview_counts_goals_by_status_tasks_waiting_and_supervision_per_team(lab):
    rows = rows_by_team(wijkdocent_overview(lab.marloes, today=TODAY, page=1))
    pannenkoeken, stoofpotten = rows["De Pannenkoeken"], rows["De Stoofpotten"]
    assert pannenkoeken["goals"] == {
        "draft": 1,
        "active": 1,
        "review_requested": 2,  # Emma's (10 days) and Finn's (6 days)
        "signed_off": 1,
    }
    assert stoofpotten["goals"] == {"active": 1}
    assert pannenkoeken["waiting"] == 2  # 11 Jan and 31 Dec
    assert stoofpotten["waiting"] == 2  # 12 Jan and 5 Dec; the returned one is not waiting
    assert pannenkoeken["supervision"] == 150  # 60 + 45 + 45
    assert stoofpotten["supervision"] == 90  # 30 + 60


def test_overview_totals_cover_all_running_teams_of_the_wijkdocent(lab):
    overview = wijkdocent_overview(lab.marloes, today=TODAY, page=1)
    assert overview["week_start"] == date(2027, 1, 11)
    assert overview["totals"] == {
        "logged": 1050,  # 720 + 330; De Kempers (completed) is not running
        "verified": 780,  # 630 + 150
        "logged_week": 270,  # 180 + 90
        "verified_week": 150,  # 150 + 0
        "teams": 2,
    }


def test_signals_list_team_below_its_mbo_rule_but_not_team_exactly_at_it(lab):
    signals = wijkdocent_signals(lab.marloes, today=TODAY)
    # De Pannenkoeken has exactly the 2 mbo the project asks for; De Stoofpotten only Noor
    # (Gijs left, so he does not count).
    assert signals["below_rules"] == [
        {
            "team_id": lab.stoofpotten.id,
            "team": "De Stoofpotten",
            "project": lab.stoofpotten.project.title,
            "min_mbo": 2,
            "min_hbo": 1,
            "max_size": 6,
            "mbo": 1,
            "hbo": 2,
            "size": 3,
        }
    ]


def test_signals_list_quiet_student_but_not_one_who_logged_13_days_ago_or_joined_9_days_ago(
    lab,
):
    signals = wijkdocent_signals(lab.marloes, today=TODAY)
    # Finn last logged on 30 Nov; Daan on 31 Dec (13 days ago); Lotte never, but she joined on
    # 4 Jan; Gijs left; Mila is in Henk's team.
    assert signals["quiet_students"] == [
        {
            "student_id": lab.finn.id,
            "student": "Finn Bakker",
            "team_id": lab.pannenkoeken.id,
            "team": "De Pannenkoeken",
            "project": lab.pannenkoeken.project.title,
            "last": date(2026, 11, 30),
        }
    ]


def test_signals_list_goal_in_review_for_ten_days_but_not_six(lab):
    signals = wijkdocent_signals(lab.marloes, today=TODAY)
    assert [g.id for g in signals["stuck_goals"]] == [lab.stuck.id]
    assert lab.recent.id not in [g.id for g in signals["stuck_goals"]]


def test_signals_list_supervisor_over_capacity_but_not_one_at_capacity(lab):
    load = supervisor_load(lab.marloes, today=TODAY)
    # 1 Sep 2026 to 13 Jan 2027 is 134 days: 134 // 7 + 1 = 20 weeks of declared hours.
    assert load == [
        {
            "id": lab.karim.id,
            "name": "Karim Bouali",
            "per_week": 1,
            "students": 3,  # Noor, Sem, Lotte (Gijs left)
            "capacity": 2,  # 1 hour × 2
            "over": True,
            "given_minutes": 90,  # 30 + 60
            "declared_minutes": 1200,  # 1 × 60 × 20
        },
        {
            "id": lab.petra.id,
            "name": "Petra de Vries",
            "per_week": 2,
            "students": 4,  # Ayşe, Daan, Emma, Finn
            "capacity": 4,  # 2 hours × 2: full, not over
            "over": False,
            "given_minutes": 150,  # 60 + 45 + 45
            "declared_minutes": 2400,  # 2 × 60 × 20
        },
    ]
    signals = wijkdocent_signals(lab.marloes, today=TODAY)
    assert [s["name"] for s in signals["supervisors"] if s["over"]] == ["Karim Bouali"]


def test_other_wijkdocents_teams_never_appear_in_overview_or_signals(lab):
    overview = wijkdocent_overview(lab.marloes, today=TODAY, page=1)
    signals = overview["signals"]
    assert "De Moestuiniers" not in rows_by_team(overview)
    assert "De Moestuiniers" not in [t["team"] for t in signals["below_rules"]]
    assert "Mila Hendriks" not in [q["student"] for q in signals["quiet_students"]]
    assert lab.henks_stuck.id not in [g.id for g in signals["stuck_goals"]]
    assert "Ingrid Smit" not in [s["name"] for s in signals["supervisors"]]
    # The same data does show up for Henk, whose team it is.
    henks = wijkdocent_overview(lab.henk, today=TODAY, page=1)
    assert list(rows_by_team(henks)) == ["De Moestuiniers"]
    assert [t["team"] for t in henks["signals"]["below_rules"]] == ["De Moestuiniers"]
    # both last logged on 12 Dec
    assert [q["student"] for q in henks["signals"]["quiet_students"]] == [
        "Mila Hendriks",
        "Yusuf Demir",
    ]
    assert [g.id for g in henks["signals"]["stuck_goals"]] == [lab.henks_stuck.id]
    assert [(s["name"], s["students"]) for s in henks["signals"]["supervisors"]] == [
        ("Ingrid Smit", 2)  # Mila and Yusuf; Ruben is in a completed project
    ]
    assert henks["totals"]["logged"] == 120  # 60 + 60


# --- student and supervisor -----------------------------------------------------------------------


def test_student_progress_is_cumulative_per_iso_week_across_the_year_boundary(lab):
    progress = student_progress(lab.ayse)
    assert progress["weeks"] == [
        {"year": 2026, "week": 50, "verified": 120, "pending": 0},  # 10 Dec
        {
            "year": 2026,
            "week": 53,
            "verified": 150,
            "pending": 0,
        },  # + 30 on Sat 2 Jan 2027
        {
            "year": 2027,
            "week": 2,
            "verified": 240,
            "pending": 30,
        },  # + 90 verified, 30 pending
    ]
    assert progress["verified"] == 240
    assert progress["pending"] == 30
    assert progress["agreed"] == 24000  # 400 BPV hours


def test_student_progress_leaves_out_returned_minutes(lab):
    progress = student_progress(lab.noor)
    # 60 verified on 20 Dec; 45 pending on 12 Jan; the 30 returned on 22 Dec count nowhere
    assert (progress["verified"], progress["pending"]) == (60, 45)
    assert progress["weeks"][0] == {
        "year": 2026,
        "week": 51,
        "verified": 60,
        "pending": 0,
    }
    assert progress["weeks"][-1] == {
        "year": 2027,
        "week": 2,
        "verified": 60,
        "pending": 45,
    }


def test_supervision_this_month_counts_sessions_from_the_first_of_the_month(lab):
    petra = supervision_this_month(lab.petra, today=TODAY)
    assert petra["since"] == date(2027, 1, 1)
    # 45 + 45 in January; the 60 minutes on 31 December are last month
    assert petra["teams"] == [
        {
            "id": lab.pannenkoeken.id,
            "name": "De Pannenkoeken",
            "project": lab.pannenkoeken.project.title,
            "minutes": 90,
        }
    ]
    assert petra["minutes"] == 90
    assert petra["per_week"] == 2
    ingrid = supervision_this_month(lab.ingrid, today=TODAY)
    # 30 on 4 Jan; not the 90 on 28 Dec nor De Kempers' 60 in November
    assert ingrid["teams"] == [
        {
            "id": lab.moestuiniers.id,
            "name": "De Moestuiniers",
            "project": lab.moestuiniers.project.title,
            "minutes": 30,
        }
    ]
    assert ingrid["minutes"] == 30


# --- neighbourhood_figures ------------------------------------------------------------------------

# Verified tasks in Transvaal dated in December: 10 Dec network (Ayşe 120, Daan 120, Emma 60),
# 15 Dec individual support (Emma 30, 1 resident), 20 Dec organisation (Noor 60, Sem 90) and
# 8 Dec residents activity of the completed project (Ruben 120, 30 residents). Not counted:
# pending 5 and 31 Dec, returned 22 Dec, 30 Nov and January, and Duindorp's 12 Dec.


def test_neighbourhood_figures_count_verified_tasks_of_the_period_by_category(lab):
    figures = neighbourhood_figures(lab.transvaal, **DECEMBER)
    assert figures["activities"] == [
        {"category": "residents_activity", "tasks": 1, "residents": 30},
        {"category": "network", "tasks": 1, "residents": 0},
        {"category": "organisation", "tasks": 1, "residents": 0},
        {"category": "individual_support", "tasks": 1, "residents": 1},
    ]
    assert figures["tasks"] == 4
    assert figures["residents_reached"] == 31  # 30 + 1; not the 8 pending or 2 returned


def test_neighbourhood_figures_split_verified_hours_by_level_and_collective_or_individual(
    lab,
):
    figures = neighbourhood_figures(lab.transvaal, **DECEMBER)
    assert figures["hours"] == {
        # Ayşe 120 + Daan 120 (network) + Noor 60 (organisation) + Ruben 120 (residents)
        "mbo": {"collective": 420, "individual": 0},
        # Emma 60 (network) + Sem 90 (organisation); Emma 30 individual support
        "hbo": {"collective": 150, "individual": 30},
    }
    assert figures["students"] == {
        "mbo": 4,
        "hbo": 2,
    }  # Ayşe, Daan, Noor, Ruben / Emma, Sem


def test_neighbourhood_figures_count_projects_teams_and_partners_involved(lab):
    figures = neighbourhood_figures(lab.transvaal, **DECEMBER)
    assert figures["projects"] == 2  # Samen koken, Oud project
    assert figures["teams"] == 3  # De Pannenkoeken, De Stoofpotten, De Kempers
    assert figures["partners"] == [
        {"name": "Buurthuis De Mussen", "projects": 1},
        {"name": "Welzijn Scheveningen", "projects": 1},
    ]
    assert figures["period"] == DECEMBER


def test_neighbourhood_figures_of_another_neighbourhood_count_only_its_own_tasks(lab):
    figures = neighbourhood_figures(lab.duindorp, **DECEMBER)
    assert figures["activities"] == [
        {"category": "residents_activity", "tasks": 1, "residents": 50}
    ]
    assert figures["hours"] == {  # Yusuf 60 / Mila 60
        "mbo": {"collective": 60, "individual": 0},
        "hbo": {"collective": 60, "individual": 0},
    }
    assert (figures["projects"], figures["teams"]) == (1, 1)
    assert figures["partners"] == [{"name": "Welzijn Scheveningen", "projects": 1}]


def test_neighbourhood_figures_of_an_empty_period_are_zero(lab):
    figures = neighbourhood_figures(lab.transvaal, start=date(2026, 10, 1), end=date(2026, 10, 31))
    assert figures["activities"] == []
    assert figures["partners"] == []
    assert (figures["tasks"], figures["residents_reached"]) == (0, 0)
    assert (figures["projects"], figures["teams"]) == (0, 0)
    assert figures["students"] == {"mbo": 0, "hbo": 0}
    assert figures["hours"] == {
        "mbo": {"collective": 0, "individual": 0},
        "hbo": {"collective": 0, "individual": 0},
    }


# --- running_activities ---------------------------------------------------------------------------

SIX_WEEKS = {"start": date(2026, 12, 2), "end": TODAY}


def test_running_activities_list_a_place_two_teams_approached_ignoring_case_and_spaces(
    lab,
):
    result = running_activities(lab.transvaal, **SIX_WEEKS, page=1)
    # "Mosplein": De Pannenkoeken on 12 Jan; De Stoofpotten as " mosplein" on 20 Dec and as
    # "Mosplein" on 5 Dec (pending still counts); Duindorp's Mosplein is another neighbourhood.
    assert len(result["overlaps"]) == 1
    overlap = result["overlaps"][0]
    assert overlap["place"].strip().lower() == "mosplein"
    assert (overlap["teams"], overlap["tasks"]) == (2, 3)
    assert (overlap["first"], overlap["last"]) == (date(2026, 12, 5), date(2027, 1, 12))
    assert result["shared"] == {"mosplein"}


def test_running_activities_leave_out_returned_tasks_and_completed_projects(lab):
    result = running_activities(lab.transvaal, **SIX_WEEKS, page=1)
    # "Wasstraat" is De Pannenkoeken's only: De Stoofpotten's task there was returned.
    # "Kempstraat" is De Pannenkoeken's only: De Kempers' project is completed.
    assert "wasstraat" not in result["shared"]
    assert "kempstraat" not in result["shared"]
    # Pannenkoeken 12 Jan, 11 Jan, 10 Dec, 15 Dec, 31 Dec, 2 Jan (not 30 Nov: before the
    # period); Stoofpotten 20 Dec, 12 Jan, 5 Dec (not the returned 22 Dec)
    assert result["tasks"].total == 9
    teams = {t.team.name for t in result["tasks"].items}
    assert teams == {"De Pannenkoeken", "De Stoofpotten"}
    assert TaskStatus.RETURNED not in {t.status for t in result["tasks"].items}


# --- placements -----------------------------------------------------------------------------------


def test_placements_give_capacity_filled_and_free_places_per_partner(lab):
    result = placements(school_ids=[lab.roc.id, lab.hhs.id], page=1)
    figures = {
        r["organisation"].name: {k: r[k] for k in ("hours", "supervisors", "capacity", "filled")}
        | {"teams": r["teams"], "free": r["free"]}
        for r in result["rows"]
    }
    assert figures == {
        # Petra 2 + Karim 1 hours → 6 places; 4 + 3 current members of two running teams
        "Buurthuis De Mussen": {
            "hours": 3,
            "supervisors": 2,
            "capacity": 6,
            "filled": 7,
            "teams": 2,
            "free": 0,
        },
        # the deactivated supervisor's 2 hours do not count; De Kempers' project is completed
        "Welzijn Scheveningen": {
            "hours": 3,
            "supervisors": 1,
            "capacity": 6,
            "filled": 2,
            "teams": 1,
            "free": 4,
        },
        "Stichting Leerbedrijf": {
            "hours": 0,
            "supervisors": 0,
            "capacity": 0,
            "filled": 0,
            "teams": 0,
            "free": 0,
        },
    }


def test_placements_count_unplaced_students_of_the_schools_by_level_and_year(lab):
    result = placements(school_ids=[lab.roc.id, lab.hhs.id], page=1)
    # mbo: Bram (year 1), Gijs (year 2, left his team), Ruben (year 4, completed project);
    # Iris is deactivated. hbo: Sara (year 3). Tom's school is not asked for.
    assert result["unplaced"] == {
        "mbo": {1: 1, 2: 1, 3: 0, 4: 1},
        "hbo": {1: 0, 2: 0, 3: 1, 4: 0},
    }
    assert result["unplaced_total"] == 4


def test_placements_for_one_school_count_only_its_students(lab):
    result = placements(school_ids=[lab.hhs.id], page=1)
    assert result["unplaced"] == {
        "mbo": {1: 0, 2: 0, 3: 0, 4: 0},
        "hbo": {1: 0, 2: 0, 3: 1, 4: 0},  # Sara
    }
    assert result["unplaced_total"] == 1


def test_placement_schools_are_those_of_the_wijkdocents_students_and_all_for_an_admin(
    lab,
):
    admin = factories.make_user("admin")
    assert [s.name for s in placement_schools(lab.marloes)] == [
        "De Haagse Hogeschool",
        "ROC Mondriaan",
    ]
    assert [s.name for s in placement_schools(lab.henk)] == [
        "Hogeschool Inholland",
        "ROC Mondriaan",  # Yusuf
    ]
    assert [s.name for s in placement_schools(admin)] == [
        "De Haagse Hogeschool",
        "Hogeschool Inholland",
        "ROC Mondriaan",
    ]


# --- the pages ------------------------------------------------------------------------------------


def test_wijkdocent_dashboard_shows_totals_team_rows_and_signals(
    client, login_as, lab, pinned_today
):
    login_as(lab.marloes)
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "17,5 gelogd · 13,0 goedgekeurd" in html  # 1050 and 780 minutes
    assert "4,5 gelogd · 2,5 goedgekeurd" in html  # 270 and 150 minutes this week
    pannenkoeken = row_of(html, "De Pannenkoeken</a><br>")
    assert "2 mbo · 2 hbo" in pannenkoeken
    assert "3,0 / 2,5" in pannenkoeken  # this week: 180 / 150
    assert "12,0 / 10,5" in pannenkoeken  # in all: 720 / 630
    assert "2,5 uur" in pannenkoeken  # 150 minutes of supervision
    stoofpotten = row_of(html, "De Stoofpotten</a><br>")
    assert "1 mbo · 2 hbo" in stoofpotten
    assert "1,5 / 0,0" in stoofpotten and "5,5 / 2,5" in stoofpotten
    assert "1 team voldoet niet aan de mbo/hbo-regels" in html
    assert "1 mbo (minimaal 2), 2 hbo (minimaal 1), 3 leden (hoogstens 6)" in html
    assert "1 student logde twee weken geen uren" in html
    assert "Finn Bakker" in html and "laatst op 30 nov. 2026" in html
    assert "1 leerdoel langer dan zeven dagen ter beoordeling" in html
    assert "Een bewonersgesprek voeren" in html and "Een activiteit evalueren" not in html
    assert "Karim Bouali: 3 studenten, 1 uur per week (ruimte voor 2)" in html
    assert "2 studenten zonder leerdoel" in html  # Sem and Lotte
    assert "40,0 uur (2 per week)" in row_of(html, ">Petra de Vries</th>")  # 2 × 20 weeks


def test_wijkdocent_dashboard_leaves_out_other_wijkdocents_teams_and_students(
    client, login_as, lab, pinned_today
):
    login_as(lab.marloes)
    html = client.get("/").get_data(as_text=True)
    for name in (
        "De Moestuiniers",
        "Mila Hendriks",
        "Een moestuin plannen",
        "Ingrid Smit",
    ):
        assert name not in html
    login_as(lab.henk)
    assert "De Moestuiniers" in client.get("/").get_data(as_text=True)


def test_student_dashboard_shows_own_verified_pending_and_agreed_hours(
    client, login_as, lab, pinned_today
):
    login_as(lab.ayse)
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<dd>4,0 uur</dd>" in html  # 240 verified minutes: 120 + 30 + 90
    assert "<dd>0,5 uur</dd>" in html  # 30 pending minutes
    assert "<dd>400,0 uur</dd>" in html  # agreed BPV hours


def test_supervisor_dashboard_shows_supervision_given_this_month(
    client, login_as, lab, pinned_today
):
    login_as(lab.petra)
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "1,5 uur begeleiding gegeven sinds 1 jan. 2027; je gaf 2 uur per week op." in html
    assert "2 leerdoelen ter beoordeling" in html  # Emma's and Finn's
    assert "2 taken om te controleren" in html  # 11 Jan and 31 Dec


def test_neighbourhood_page_shows_the_figures_of_the_period_without_student_names(
    client, login_as, lab, pinned_today
):
    login_as(lab.marloes)
    response = client.get(f"/reports/neighbourhoods/{lab.transvaal.id}?{DECEMBER_QUERY}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<dt>Activiteiten</dt><dd>4</dd>" in html
    assert "<dt>Bewoners bereikt</dt><dd>31</dd>" in html
    assert "<dt>Projecten</dt><dd>2</dd>" in html and "<dt>Teams</dt><dd>3</dd>" in html
    assert "4 mbo · 2 hbo" in html
    total = row_of(html, 'data-label="Niveau">Totaal</th>')
    # collective 420 + 150, individual 30, together 600 minutes
    assert ">9,5<" in total and ">0,5<" in total and ">10,0<" in total
    assert "Buurthuis De Mussen (1 project)" in html
    for student in lab.all_students:
        assert student.name not in html


def test_neighbourhood_report_pdf_has_the_figures_without_student_names(
    client, login_as, lab, pinned_today
):
    login_as(lab.marloes)
    response = client.get(f"/reports/neighbourhoods/{lab.transvaal.id}/report.pdf?{DECEMBER_QUERY}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
    assert "Transvaal" in text and "Buurthuis De Mussen" in text
    assert "31" in text  # residents reached
    for student in lab.all_students:
        assert student.name not in text


def test_neighbourhood_report_xlsx_has_the_figures_without_student_names(
    client, login_as, lab, pinned_today
):
    login_as(lab.marloes)
    response = client.get(
        f"/reports/neighbourhoods/{lab.transvaal.id}/report.xlsx?{DECEMBER_QUERY}"
    )
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    summary = dict(book["Samenvatting"].iter_rows(min_row=2, values_only=True))
    assert summary["Goedgekeurde activiteiten"] == "4"
    assert (summary["Van"], summary["Tot en met"]) == ("01-12-2026", "31-12-2026")
    assert summary["Bewoners bereikt"] == "31"
    assert (summary["Projecten"], summary["Teams"]) == ("2", "3")
    assert (summary["Studenten mbo"], summary["Studenten hbo"]) == ("4", "2")
    hours = {row[0]: row[1:] for row in book["Uren"].iter_rows(min_row=2, values_only=True)}
    assert hours["mbo"] == (7, 0, 7, 4)  # 420 minutes collective, 4 students
    assert hours["hbo"] == (2.5, 0.5, 3, 2)  # 150 collective, 30 individual
    cells = {
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
    }
    for student in lab.all_students:
        assert not any(student.name in cell for cell in cells)


@pytest.mark.parametrize("suffix", ["", "/report.pdf", "/report.xlsx"])
def test_period_ending_before_it_starts_gives_400_with_the_error_at_the_end_field(
    client, login_as, lab, pinned_today, suffix
):
    login_as(lab.marloes)
    response = client.get(
        f"/reports/neighbourhoods/{lab.transvaal.id}{suffix}?start=2026-12-31&end=2026-12-01"
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert '<p class="error" id="end-error">De einddatum ligt vóór de begindatum.</p>' in html
    assert 'aria-describedby="end-error"' in html
    assert "Bewoners bereikt" not in html


def test_activities_page_shows_the_place_two_teams_approached_in_the_last_six_weeks(
    client, login_as, lab, pinned_today
):
    login_as(lab.marloes)
    response = client.get(f"/reports/neighbourhoods/{lab.transvaal.id}/activities")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Van 2 dec. 2026 tot en met 13 jan. 2027." in html
    assert "2 teams, 3 activiteiten tussen 5 dec. 2026 en 12 jan. 2027" in html
    # the three Mosplein tasks carry the badge; Wasstraat and Kempstraat do not
    assert html.count('<span class="badge badge-warn">meer teams</span>') == 3
    assert "Wasstraat" in html and "Kempstraat" in html


def test_activities_page_refuses_zero_weeks(client, login_as, lab, pinned_today):
    login_as(lab.marloes)
    response = client.get(f"/reports/neighbourhoods/{lab.transvaal.id}/activities?weeks=0")
    assert response.status_code == 400
    assert '<p class="error" id="weeks-error">Kies 1 tot en met 26 weken.</p>' in (
        response.get_data(as_text=True)
    )


def test_placements_page_shows_places_per_partner_and_unplaced_students(
    client, login_as, lab, pinned_today
):
    login_as(lab.marloes)
    response = client.get("/reports/placements")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    mussen = row_of(html, "Buurthuis De Mussen")
    assert 'data-label="Plaatsen">6<' in mussen
    assert 'data-label="Bezet">7 <span class="meta">(2 teams)</span>' in mussen
    assert "overvol" in mussen
    assert 'data-label="Vrij">0<' in mussen
    welzijn = row_of(html, "Welzijn Scheveningen")
    assert 'data-label="Vrij">4<' in welzijn
    assert "4 studenten staan in geen enkel lopend team." in html
    mbo = row_of(html, 'data-label="Niveau">mbo<')
    for year, unplaced in ((1, 1), (2, 1), (3, 0), (4, 1)):  # Bram; Gijs; -; Ruben
        assert f'data-label="jaar {year}">{unplaced}<' in mbo


def test_placements_page_for_one_school_counts_its_students_only(
    client, login_as, lab, pinned_today
):
    login_as(lab.marloes)
    response = client.get(f"/reports/placements?school={lab.roc.id}")
    assert response.status_code == 200
    # Bram, Gijs and Ruben; Sara is at De Haagse Hogeschool
    assert "3 studenten staan in geen enkel lopend team." in response.get_data(as_text=True)


@pytest.mark.parametrize("school", ["999", "inholland"])
def test_placements_page_refuses_a_school_not_in_the_list(
    client, login_as, lab, pinned_today, school
):
    school_id = lab.inholland.id if school == "inholland" else school  # Inholland is Henk's
    login_as(lab.marloes)
    response = client.get(f"/reports/placements?school={school_id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="school-error" role="alert">Kies een van de scholen uit de lijst.</p>' in html
    assert "4 studenten staan in geen enkel lopend team." in html  # all her schools instead


# --- query counts ---------------------------------------------------------------------------------


def grow_lab(owner, neighbourhood, teams: int) -> None:
    """A running project of ``owner`` in ``neighbourhood`` with ``teams`` teams, each with every
    kind of row the pages count and every kind of signal."""
    partner = factories.make_organisation(neighbourhood=neighbourhood)
    school = factories.make_organisation("school")
    project = factories.make_project(
        owner=owner,
        partner=partner,
        neighbourhood=neighbourhood,
        status=ProjectStatus.ACTIVE,
        min_mbo=1,
        min_hbo=2,
    )
    factories.make_student(school=school)  # unplaced
    for _ in range(teams):
        supervisor = factories.make_supervisor(organisation=partner)
        set_hours(supervisor, 1)
        first, second = (factories.make_student("mbo", 2, school) for _ in range(2))
        quiet = factories.make_student("hbo", 3, school)
        team = factories.make_team(
            project=project, supervisor=supervisor, members=[first, second, quiet]
        )
        c = Category
        log(team, TODAY, c.RESIDENTS_ACTIVITY, V, {first: 60, second: 30}, 12, "Plein")
        log(
            team,
            TODAY - timedelta(days=20),
            c.INDIVIDUAL_SUPPORT,
            V,
            {first: 45},
            1,
            "Plein",
        )
        log(team, TODAY - timedelta(days=10), c.NETWORK, P, {second: 30}, 0, "Hofje")
        log(team, TODAY - timedelta(days=5), c.RESEARCH, R, {first: 15})
        factories.make_goal(
            team=team,
            student=first,
            status="review_requested",
            updated_at=at_noon(TODAY - timedelta(days=10)),
        )
        factories.make_goal(team=team, student=second, status="signed_off")
        supervise(team, supervisor, TODAY - timedelta(days=2), 30)


# url for the neighbourhood, and the queries the page ran when written (the user, the
# notification badge, the "Wacht op jou" count in the menu and the page's own aggregates).
QUERY_COUNT_PAGES = {
    # 17 before the summary tables; the page's teams and their figures now take 3 queries.
    "wijkdocent dashboard": (lambda hood: "/", 12),
    "neighbourhood page": (
        # Whole weeks from the summary tables (3 queries), the days at both edges from the
        # tasks (3 more): 10, from 8 when every figure summed the participations.
        lambda hood: f"/reports/neighbourhoods/{hood.id}?start=2026-12-01&end=2027-01-13",
        10,
    ),
    "activities page": (
        lambda hood: f"/reports/neighbourhoods/{hood.id}/activities",
        7,
    ),
    "placements page": (lambda hood: "/reports/placements", 8),
}


@pytest.mark.parametrize("page", list(QUERY_COUNT_PAGES))
def test_report_page_runs_the_same_number_of_queries_for_1_and_10_teams(
    client, login_as, wijkdocent, pinned_today, page
):
    url_for_hood, ceiling = QUERY_COUNT_PAGES[page]
    neighbourhood = factories.make_neighbourhood()
    url = url_for_hood(neighbourhood)
    login_as(wijkdocent)
    grow_lab(wijkdocent, neighbourhood, teams=1)
    small = count_for(client, url)
    grow_lab(wijkdocent, neighbourhood, teams=9)
    large = count_for(client, url)
    assert small == large, f"{page}: {small} queries for 1 team, {large} for 10 teams"
    assert large <= ceiling, f"{page}: {large} queries, {ceiling} before"
