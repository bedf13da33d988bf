"""The builder's hard rules (partner, days, supervisor's room), wishes and unplaced reasons, as
pure functions of plain data."""

from __future__ import annotations

from wijklab.teams.builder import NO_ROOM, ProposedTeam, build_teams, check_teams
from wijklab.teams.rules import (
    NO_WEEKDAY,
    PARTNER_LEVEL,
    PARTNER_YEAR,
    SUPERVISOR_FULL,
    Candidate,
    Problem,
    TeamRules,
    fit_problem,
    supervisor_problems,
)

ALL_DAYS = frozenset(range(5))


def student(sid, level="hbo", year=2, wish=None, days=ALL_DAYS, school=1, coach=False):
    return Candidate(
        sid,
        level,
        year,
        school_id=school,
        weekdays=days,
        wish_rank=wish,
        wants_peer_coach=coach,
    )


def placed(proposal) -> set[int]:
    return {m.id for t in proposal.teams for m in t.members}


# --- fit rules ---------------------------------------------------------------------------------


def test_a_partner_for_years_2_to_4_leaves_first_years_out_with_that_reason():
    rules = TeamRules(min_mbo=0, min_hbo=1, suitable_years=frozenset({2, 3, 4}))
    pool = [
        student(1, year=1),
        student(2, year=1),
        student(3, year=1),
        student(4, year=2),
    ]
    proposal = build_teams(pool, rules, team_count=1)
    assert placed(proposal) == {4}
    assert proposal.unplaced == [
        (1, PARTNER_YEAR),
        (2, PARTNER_YEAR),
        (3, PARTNER_YEAR),
    ]


def test_a_partner_for_hbo_only_leaves_mbo_out_with_that_reason():
    rules = TeamRules(min_mbo=0, min_hbo=1, suitable_levels=frozenset({"hbo"}))
    proposal = build_teams([student(1, "mbo"), student(2, "hbo")], rules, team_count=1)
    assert placed(proposal) == {2}
    assert proposal.unplaced == [(1, PARTNER_LEVEL)]


def test_empty_suitable_sets_take_everyone():
    rules = TeamRules(min_mbo=0, min_hbo=0)
    assert fit_problem(student(1, "mbo", 1), rules) is None


def test_a_project_without_days_takes_students_of_any_day():
    rules = TeamRules(min_mbo=0, min_hbo=0, weekdays=frozenset())
    assert fit_problem(student(1, days=frozenset({6})), rules) is None
    assert fit_problem(student(1, days=frozenset()), rules) is None


def test_a_student_without_a_project_day_gets_that_reason():
    rules = TeamRules(min_mbo=0, min_hbo=1, weekdays=frozenset({1}))
    proposal = build_teams([student(1, days=frozenset({0})), student(2)], rules, team_count=1)
    assert proposal.unplaced == [(1, NO_WEEKDAY)]


# --- the supervisor's room ---------------------------------------------------------------------


def test_a_full_supervisor_takes_nobody_and_every_student_says_so():
    rules = TeamRules(min_mbo=0, min_hbo=1, supervisor_room=0)
    proposal = build_teams([student(1), student(2)], rules, team_count=1)
    assert proposal.teams == []
    assert proposal.unplaced == [(1, SUPERVISOR_FULL), (2, SUPERVISOR_FULL)]


def test_a_supervisor_with_room_for_eight_gets_eight_of_eleven():
    rules = TeamRules(min_mbo=0, min_hbo=1, max_size=6, supervisor_room=8)
    proposal = build_teams([student(i) for i in range(1, 12)], rules, team_count=2)
    assert len(placed(proposal)) == 8
    assert [reason for _, reason in proposal.unplaced] == [SUPERVISOR_FULL] * 3
    assert proposal.hard_ok


def test_a_supervisor_with_little_room_gets_fewer_teams_that_still_meet_the_minimums():
    rules = TeamRules(min_mbo=1, min_hbo=1, max_size=6, supervisor_room=3)
    pool = [student(i, "mbo" if i % 2 else "hbo", 3) for i in range(1, 9)]
    proposal = build_teams(pool, rules, team_count=3)
    assert len(proposal.teams) == 1 and len(placed(proposal)) == 3
    assert proposal.hard_ok


def test_an_edited_proposal_over_the_supervisors_room_names_the_team_that_goes_over():
    assert supervisor_problems([3, 2, 0, 1], TeamRules(supervisor_room=4)) == [
        [],
        [Problem(SUPERVISOR_FULL, 6, 4)],
        [],
        [Problem(SUPERVISOR_FULL, 6, 4)],
    ]
    assert supervisor_problems([3, 2], TeamRules()) == [[], []]


def test_check_teams_reports_members_the_partner_does_not_take():
    rules = TeamRules(min_mbo=0, min_hbo=1, suitable_years=frozenset({3, 4}))
    team = ProposedTeam(members=[student(1, year=1), student(2, year=2), student(3, year=3)])
    check_teams([team], rules)
    assert Problem(PARTNER_YEAR, 2, 0) in team.problems


# --- wishes ------------------------------------------------------------------------------------


def test_wishes_decide_who_gets_the_last_places_first_before_second_before_third():
    rules = TeamRules(min_mbo=0, min_hbo=1, max_size=3)
    pool = [
        student(1),
        student(2, wish=3),
        student(3, wish=2),
        student(4, wish=1),
        student(5),
    ]
    for seed in range(5):
        proposal = build_teams(pool, rules, team_count=1, seed=seed)
        assert placed(proposal) == {2, 3, 4}
        assert proposal.unplaced == [(1, NO_ROOM), (5, NO_ROOM)]


def test_wish_counts_by_hand():
    # Room for four: the first wishes (2), the second (1), then one of the three without a wish.
    rules = TeamRules(min_mbo=0, min_hbo=1, max_size=4)
    pool = [
        student(1, wish=1),
        student(2, wish=1),
        student(3, wish=2),
        student(4),
        student(5),
        student(6),
    ]
    proposal = build_teams(pool, rules, team_count=1)
    assert proposal.wish_counts() == {1: 2, 2: 1, 3: 0, None: 1}


def test_wish_counts_count_every_placed_student_once():
    rules = TeamRules(min_mbo=1, min_hbo=1, max_size=4)
    pool = [
        student(1, "mbo", wish=3),
        student(2, "mbo"),
        student(3, wish=1),
        student(4, wish=3),
    ]
    proposal = build_teams(pool, rules, team_count=2)
    assert proposal.wish_counts() == {1: 1, 2: 0, 3: 2, None: 1}


def test_level_minimums_outrank_wishes():
    # One place for mbo is a minimum: the mbo student without a wish goes before the third hbo.
    rules = TeamRules(min_mbo=1, min_hbo=1, max_size=3)
    pool = [
        student(1, wish=1),
        student(2, wish=1),
        student(3, wish=1),
        student(4, "mbo"),
    ]
    proposal = build_teams(pool, rules, team_count=1)
    assert 4 in placed(proposal) and len(placed(proposal)) == 3


# --- peer coaches ------------------------------------------------------------------------------


def test_a_student_who_wants_to_coach_is_chosen_before_a_more_senior_one():
    rules = TeamRules(min_mbo=0, min_hbo=1)
    pool = [student(1, year=4), student(2, year=3, coach=True), student(3, year=1)]
    proposal = build_teams(pool, rules, team_count=1)
    assert proposal.teams[0].peer_coach == 2


def test_wanting_to_coach_does_not_make_a_first_year_a_coach():
    rules = TeamRules(min_mbo=0, min_hbo=1)
    pool = [student(1, "mbo", year=1, coach=True), student(2, year=4)]
    proposal = build_teams(pool, rules, team_count=1)
    assert proposal.teams[0].peer_coach == 2
