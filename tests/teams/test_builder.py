"""The pure team rules (wijklab.teams.rules) and the team builder (wijklab.teams.builder): unit
tests, one behaviour each, and property tests over random pools and rules. No database."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wijklab.teams.builder import (
    NO_ROOM,
    NO_WEEKDAY,
    Proposal,
    ProposedTeam,
    build_teams,
    problems_by_team,
)
from wijklab.teams.rules import (
    HARD_RULES,
    ISOLATED_MINORITY,
    MAX_SIZE,
    MIN_HBO,
    MIN_MBO,
    PEER_COACH,
    Candidate,
    Problem,
    TeamRules,
    composition_problems,
    hard_problems,
    level_counts,
    shares_a_weekday,
)

LEVELS = ("mbo", "hbo")
WEEK = frozenset(range(5))
MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY = range(6)


class Pool:
    """Makes candidates with fresh ids, in the order a test asks for them."""

    def __init__(self) -> None:
        self.next_id = 1

    def make(
        self,
        level: str = "hbo",
        year: int = 1,
        *,
        school: int | None = None,
        weekdays: frozenset[int] = WEEK,
    ) -> Candidate:
        candidate = Candidate(self.next_id, level, year, school, weekdays)
        self.next_id += 1
        return candidate

    def many(self, n: int, level: str = "hbo", year: int = 1, **kwargs) -> list[Candidate]:
        return [self.make(level, year, **kwargs) for _ in range(n)]


def mbo(year: int = 1, student_id: int = 1) -> Candidate:
    return Candidate(student_id, "mbo", year, None, WEEK)


def hbo(year: int = 1, student_id: int = 1) -> Candidate:
    return Candidate(student_id, "hbo", year, None, WEEK)


def team_of(n_mbo: int, n_hbo: int, year: int = 3) -> list[Candidate]:
    """A team with ``n_mbo`` and ``n_hbo`` members who can all coach (year 3)."""
    return [Candidate(i, "mbo", year, None, WEEK) for i in range(n_mbo)] + [
        Candidate(100 + i, "hbo", year, None, WEEK) for i in range(n_hbo)
    ]


def rules_of(problems: list[Problem]) -> list[str]:
    return [p.rule for p in problems]


def placed_ids(proposal: Proposal) -> list[int]:
    return [i for team in proposal.teams for i in team.member_ids]


def sizes(proposal: Proposal) -> list[int]:
    return [len(team.members) for team in proposal.teams]


def levels_per_team(proposal: Proposal) -> list[tuple[int, int]]:
    return [level_counts(team.members) for team in proposal.teams]


def snapshot(proposal: Proposal):
    """Everything in a proposal, as plain comparable data."""
    return (
        [(team.member_ids, team.peer_coach, team.problems) for team in proposal.teams],
        proposal.unplaced,
    )


# --- Candidate.can_coach -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "year", "can"),
    [
        ("mbo", 1, False),
        ("mbo", 2, False),
        ("mbo", 3, True),
        ("mbo", 4, True),
        ("hbo", 1, False),
        ("hbo", 2, True),
        ("hbo", 3, True),
        ("hbo", 4, True),
    ],
)
def test_can_coach_is_year_3_or_4_or_hbo_from_year_2(level, year, can):
    assert Candidate(1, level, year).can_coach is can


# --- composition_problems: level minimums ------------------------------------------------------


def test_min_mbo_met_at_exactly_the_minimum():
    assert MIN_MBO not in rules_of(composition_problems(team_of(2, 2), TeamRules(min_mbo=2)))


def test_min_mbo_one_below_is_a_problem_with_have_and_need():
    problems = composition_problems(team_of(1, 2), TeamRules(min_mbo=2))
    assert Problem(MIN_MBO, have=1, need=2) in problems


def test_min_hbo_met_at_exactly_the_minimum():
    assert MIN_HBO not in rules_of(composition_problems(team_of(2, 3), TeamRules(min_hbo=3)))


def test_min_hbo_one_below_is_a_problem_with_have_and_need():
    problems = composition_problems(team_of(2, 2), TeamRules(min_hbo=3))
    assert Problem(MIN_HBO, have=2, need=3) in problems


def test_minimum_of_zero_is_met_by_a_team_without_that_level():
    problems = composition_problems(team_of(0, 3), TeamRules(min_mbo=0, min_hbo=1))
    assert problems == []


# --- composition_problems: maximum size --------------------------------------------------------


def test_max_size_met_at_exactly_the_maximum():
    assert composition_problems(team_of(2, 2), TeamRules(max_size=4)) == []


def test_max_size_one_over_is_a_problem_with_have_and_need():
    problems = composition_problems(team_of(2, 3), TeamRules(max_size=4))
    assert problems == [Problem(MAX_SIZE, have=5, need=4)]


# --- composition_problems: isolated minority ---------------------------------------------------


def test_one_mbo_among_two_hbo_is_an_isolated_minority():
    assert rules_of(composition_problems(team_of(1, 2), TeamRules())) == [ISOLATED_MINORITY]


def test_one_hbo_among_two_mbo_is_an_isolated_minority():
    assert rules_of(composition_problems(team_of(2, 1), TeamRules())) == [ISOLATED_MINORITY]


def test_one_mbo_among_many_hbo_is_an_isolated_minority():
    assert rules_of(composition_problems(team_of(1, 6), TeamRules())) == [ISOLATED_MINORITY]


def test_one_mbo_and_one_hbo_is_not_isolated():
    assert composition_problems(team_of(1, 1), TeamRules()) == []


def test_two_mbo_and_two_hbo_is_not_isolated():
    assert composition_problems(team_of(2, 2), TeamRules()) == []


def test_a_team_of_one_level_is_not_an_isolated_minority():
    problems = composition_problems(team_of(0, 4), TeamRules(min_mbo=0))
    assert ISOLATED_MINORITY not in rules_of(problems)


# --- composition_problems: peer coach ----------------------------------------------------------


def test_mbo_year_2_cannot_coach_so_the_team_has_a_peer_coach_problem():
    team = [mbo(2, student_id=1), hbo(1, student_id=2)]
    assert rules_of(composition_problems(team, TeamRules())) == [PEER_COACH]


def test_hbo_year_2_can_coach_the_team():
    team = [mbo(1, student_id=1), hbo(2, student_id=2)]
    assert composition_problems(team, TeamRules()) == []


def test_mbo_year_3_can_coach_the_team():
    team = [mbo(3, student_id=1), hbo(1, student_id=2)]
    assert composition_problems(team, TeamRules()) == []


def test_empty_team_has_no_peer_coach_problem():
    assert PEER_COACH not in rules_of(composition_problems([], TeamRules()))


def test_empty_team_misses_the_level_minimums():
    problems = composition_problems([], TeamRules(min_mbo=1, min_hbo=2))
    assert problems == [Problem(MIN_MBO, 0, 1), Problem(MIN_HBO, 0, 2)]


def test_has_peer_coach_false_is_a_problem_even_with_a_possible_coach():
    team = [mbo(3, student_id=1), hbo(3, student_id=2)]
    problems = composition_problems(team, TeamRules(), has_peer_coach=False)
    assert problems == [Problem(PEER_COACH, have=0, need=1)]


def test_has_peer_coach_true_is_trusted_over_the_members():
    team = [mbo(1, student_id=1), hbo(1, student_id=2)]
    assert composition_problems(team, TeamRules(), has_peer_coach=True) == []


def test_problems_come_in_rule_order():
    team = [mbo(1, student_id=i) for i in range(5)] + [hbo(1, student_id=10)]
    problems = composition_problems(team, TeamRules(min_mbo=1, min_hbo=2, max_size=5))
    assert rules_of(problems) == [MIN_HBO, MAX_SIZE, ISOLATED_MINORITY, PEER_COACH]


# --- hard_problems, level_counts, shares_a_weekday ---------------------------------------------


def test_hard_problems_keeps_only_minimums_and_maximum_size():
    team = [mbo(1, student_id=i) for i in range(5)] + [hbo(1, student_id=10)]
    problems = hard_problems(team, TeamRules(min_mbo=1, min_hbo=2, max_size=5))
    assert rules_of(problems) == [MIN_HBO, MAX_SIZE]


def test_level_counts_counts_mbo_and_hbo():
    assert level_counts(team_of(2, 5)) == (2, 5)


def test_shares_a_weekday_needs_one_day_in_common():
    rules = TeamRules(weekdays=frozenset({TUESDAY, THURSDAY}))
    assert shares_a_weekday(Candidate(1, "hbo", 1, weekdays=frozenset({THURSDAY})), rules)
    assert not shares_a_weekday(Candidate(1, "hbo", 1, weekdays=frozenset({MONDAY})), rules)
    assert not shares_a_weekday(Candidate(1, "hbo", 1), rules)


# --- build_teams: how many teams ---------------------------------------------------------------


def test_team_count_gives_that_many_teams():
    pool = Pool()
    students = pool.many(6, "mbo") + pool.many(6, "hbo", 2)
    proposal = build_teams(students, TeamRules(), team_count=3)
    assert len(proposal.teams) == 3
    assert sizes(proposal) == [4, 4, 4]


def test_team_size_gives_enough_teams_of_at_most_that_size():
    pool = Pool()
    students = pool.many(7, "mbo") + pool.many(7, "hbo", 2)
    proposal = build_teams(students, TeamRules(), team_size=4)
    assert len(proposal.teams) == 4  # ceil(14 / 4)
    assert sorted(sizes(proposal)) == [3, 3, 4, 4]


def test_team_size_above_the_maximum_is_held_to_the_maximum():
    pool = Pool()
    students = pool.many(6, "mbo") + pool.many(6, "hbo", 2)
    proposal = build_teams(students, TeamRules(max_size=4), team_size=10)
    assert len(proposal.teams) == 3
    assert max(sizes(proposal)) == 4


def test_without_count_or_size_teams_are_of_the_maximum_size():
    pool = Pool()
    students = pool.many(5, "mbo") + pool.many(5, "hbo", 2)
    proposal = build_teams(students, TeamRules(max_size=5))
    assert sizes(proposal) == [5, 5]


# --- build_teams: weekdays, duplicates, capacity -----------------------------------------------


def test_a_student_without_a_shared_weekday_is_unplaced():
    pool = Pool()
    rules = TeamRules(weekdays=frozenset({TUESDAY, WEDNESDAY}))
    weekend = pool.make("mbo", 3, weekdays=frozenset({SATURDAY}))
    nothing = pool.make("hbo", 3, weekdays=frozenset())
    others = pool.many(2, "mbo", weekdays=frozenset({WEDNESDAY})) + pool.many(
        2, "hbo", 2, weekdays=frozenset({MONDAY, TUESDAY})
    )
    proposal = build_teams([weekend, nothing, *others], rules, team_count=1)
    assert proposal.unplaced == [(weekend.id, NO_WEEKDAY), (nothing.id, NO_WEEKDAY)]
    assert sorted(placed_ids(proposal)) == sorted(s.id for s in others)


def test_one_shared_weekday_is_enough_to_be_placed():
    pool = Pool()
    rules = TeamRules(weekdays=frozenset({FRIDAY}))
    students = [
        pool.make("mbo", weekdays=frozenset({MONDAY, FRIDAY})),
        pool.make("hbo", 2, weekdays=frozenset({FRIDAY})),
    ]
    proposal = build_teams(students, rules, team_count=1)
    assert proposal.unplaced == []
    assert sorted(placed_ids(proposal)) == [s.id for s in students]


def test_a_student_given_twice_is_placed_once():
    pool = Pool()
    students = pool.many(2, "mbo") + pool.many(2, "hbo", 2)
    proposal = build_teams([*students, students[0], students[2], students[0]], TeamRules())
    assert sorted(placed_ids(proposal)) == [s.id for s in students]
    assert proposal.unplaced == []


def test_a_student_given_twice_without_a_shared_weekday_is_unplaced_once():
    pool = Pool()
    rules = TeamRules(weekdays=frozenset({MONDAY}))
    away = pool.make("hbo", weekdays=frozenset({FRIDAY}))
    proposal = build_teams([away, away], rules, team_count=1)
    assert proposal.unplaced == [(away.id, NO_WEEKDAY)]


def test_students_beyond_capacity_are_unplaced_for_no_room():
    pool = Pool()
    students = pool.many(6, "mbo", 3) + pool.many(6, "hbo", 3)
    proposal = build_teams(students, TeamRules(max_size=4), team_count=2)
    assert sizes(proposal) == [4, 4]
    assert len(proposal.unplaced) == 4
    assert {reason for _, reason in proposal.unplaced} == {NO_ROOM}


def test_overflow_is_taken_so_that_level_minimums_are_still_met():
    pool = Pool()
    # Two teams of at most 3 with 2 mbo and 10 hbo: both mbo must stay, one in each team.
    students = pool.many(2, "mbo", 3) + pool.many(10, "hbo", 3)
    proposal = build_teams(students, TeamRules(min_mbo=1, min_hbo=1, max_size=3), team_count=2)
    assert levels_per_team(proposal) == [(1, 2), (1, 2)]
    unplaced = {i for i, _ in proposal.unplaced}
    assert not unplaced & {s.id for s in students if s.level == "mbo"}
    assert proposal.hard_ok


def test_overflow_keeps_the_levels_shares_of_the_pool():
    pool = Pool()
    students = pool.many(6, "mbo", 3) + pool.many(12, "hbo", 3)
    proposal = build_teams(students, TeamRules(max_size=3), team_count=3)
    assert sorted(levels_per_team(proposal)) == [(1, 2), (1, 2), (1, 2)]


@pytest.mark.parametrize("seed", range(10))
def test_overflow_leaves_out_juniors_so_coaches_stay_in(seed):
    pool = Pool()
    coaches = pool.many(2, "hbo", 4)
    students = coaches + pool.many(10, "hbo", 1)
    rules = TeamRules(min_mbo=0, min_hbo=1, max_size=3)
    proposal = build_teams(students, rules, team_count=2, seed=seed)
    assert sorted(t.peer_coach for t in proposal.teams) == [c.id for c in coaches]
    assert proposal.ok


# --- build_teams: isolated minority ------------------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
def test_no_isolated_minority_with_two_of_each_level_per_team(seed):
    pool = Pool()
    students = pool.many(6, "mbo", 2) + pool.many(9, "hbo", 2)
    proposal = build_teams(students, TeamRules(), team_count=3, seed=seed)
    assert all(mbo_n >= 2 and hbo_n >= 2 for mbo_n, hbo_n in levels_per_team(proposal))
    assert proposal.ok


def test_isolated_minority_is_reported_when_the_pool_cannot_avoid_it():
    pool = Pool()
    students = pool.many(4, "mbo", 3) + pool.many(9, "hbo", 3)
    proposal = build_teams(students, TeamRules(min_mbo=1), team_count=3)
    lonely = [t for t in proposal.teams if level_counts(t.members)[0] == 1]
    assert lonely
    for team in lonely:
        assert ISOLATED_MINORITY in rules_of(team.problems)
    assert proposal.hard_ok


def test_optional_mbo_students_are_placed_in_pairs_rather_than_alone():
    pool = Pool()
    students = pool.many(4, "mbo", 3) + pool.many(12, "hbo", 3)
    proposal = build_teams(students, TeamRules(min_mbo=0), team_count=3)
    assert sorted(m for m, _ in levels_per_team(proposal)) == [0, 2, 2]
    assert proposal.ok


def test_optional_hbo_students_are_placed_in_pairs_rather_than_alone():
    pool = Pool()
    students = pool.many(12, "mbo", 3) + pool.many(5, "hbo", 3)
    proposal = build_teams(students, TeamRules(min_mbo=1, min_hbo=0), team_count=3)
    assert all(h != 1 for _, h in levels_per_team(proposal))
    assert proposal.ok


def test_no_isolated_minority_outranks_even_team_sizes():
    pool = Pool()
    # Sizes 3 + 3 would need 1 mbo among 2 hbo, or 1 hbo among 2 mbo: 4 + 2 has neither.
    students = pool.many(2, "mbo", 3) + pool.many(4, "hbo", 3)
    proposal = build_teams(students, TeamRules(min_mbo=0), team_count=2)
    assert sorted(levels_per_team(proposal)) == [(0, 2), (2, 2)]
    assert proposal.ok


# --- build_teams: peer coach -------------------------------------------------------------------


def test_every_team_gets_a_peer_coach_when_the_pool_has_enough():
    pool = Pool()
    students = pool.many(4, "mbo", 3) + pool.many(8, "mbo", 1) + pool.many(12, "hbo", 1)
    proposal = build_teams(students, TeamRules(), team_count=4)
    for team in proposal.teams:
        assert team.peer_coach in team.member_ids
        assert next(m for m in team.members if m.id == team.peer_coach).can_coach
    assert proposal.ok


def test_every_team_gets_a_peer_coach_when_all_coaches_are_hbo():
    pool = Pool()
    # mbo year 2 cannot coach; hbo year 2 can: exactly one coach per team.
    students = pool.many(8, "mbo", 2) + pool.many(4, "hbo", 2) + pool.many(8, "hbo", 1)
    proposal = build_teams(students, TeamRules(), team_count=4)
    coaches = [next(m for m in t.members if m.id == t.peer_coach) for t in proposal.teams]
    assert all(c.level == "hbo" and c.year == 2 for c in coaches)
    assert proposal.ok


def test_every_team_gets_a_peer_coach_when_all_coaches_are_mbo():
    pool = Pool()
    students = pool.many(3, "mbo", 4) + pool.many(6, "mbo", 1) + pool.many(9, "hbo", 1)
    proposal = build_teams(students, TeamRules(), team_count=3)
    assert all(t.peer_coach is not None for t in proposal.teams)
    assert proposal.ok


def test_a_peer_coach_problem_names_the_teams_that_cannot_get_one():
    pool = Pool()
    students = pool.many(2, "hbo", 3) + pool.many(8, "mbo", 1) + pool.many(6, "hbo", 1)
    proposal = build_teams(students, TeamRules(), team_count=4)
    with_coach = [t for t in proposal.teams if t.peer_coach is not None]
    without = [t for t in proposal.teams if t.peer_coach is None]
    assert len(with_coach) == 2 and len(without) == 2
    for team in without:
        assert PEER_COACH in rules_of(team.problems)
        assert not any(m.can_coach for m in team.members)
    for team in with_coach:
        assert PEER_COACH not in rules_of(team.problems)


def test_no_isolated_minority_outranks_a_peer_coach_everywhere():
    pool = Pool()
    # Four optional mbo coaches go in pairs, so the team without mbo has no coach.
    students = pool.many(4, "mbo", 3) + pool.many(12, "hbo", 1)
    proposal = build_teams(students, TeamRules(min_mbo=0), team_count=3)
    assert [rules_of(t.problems) for t in proposal.teams if t.peer_coach is None] == [[PEER_COACH]]
    assert not any(ISOLATED_MINORITY in rules_of(t.problems) for t in proposal.teams)


def test_the_peer_coach_is_a_member_who_can_coach():
    pool = Pool()
    students = pool.many(3, "mbo", 1) + pool.many(1, "mbo", 3) + pool.many(4, "hbo", 1)
    [team] = build_teams(students, TeamRules(), team_count=1).teams
    assert team.peer_coach == students[3].id


# --- build_teams: sizes, years and schools -----------------------------------------------------


def test_team_sizes_differ_by_at_most_one():
    pool = Pool()
    students = pool.many(9, "mbo", 2) + pool.many(14, "hbo", 2)
    proposal = build_teams(students, TeamRules(), team_count=4)
    assert sorted(sizes(proposal)) == [5, 6, 6, 6]


def test_team_sizes_differ_by_at_most_one_when_an_optional_level_is_paired():
    pool = Pool()
    # Three optional mbo go in one team; the hbo make up the difference in the others.
    students = pool.many(3, "mbo", 3) + pool.many(12, "hbo", 3)
    proposal = build_teams(students, TeamRules(min_mbo=0), team_count=3)
    assert sizes(proposal) == [5, 5, 5]
    assert proposal.ok


def test_no_team_is_left_empty_when_both_levels_are_optional():
    pool = Pool()
    students = pool.many(3, "mbo", 3) + pool.many(3, "hbo", 3)
    proposal = build_teams(students, TeamRules(min_mbo=0, min_hbo=0), team_count=3)
    assert sizes(proposal) == [2, 2, 2]
    assert proposal.ok


@pytest.mark.parametrize("seed", range(5))
def test_years_are_spread_over_the_teams(seed):
    pool = Pool()
    students = (
        pool.many(4, "mbo", 1)
        + pool.many(4, "hbo", 1)
        + pool.many(4, "mbo", 4)
        + pool.many(4, "hbo", 4)
    )
    proposal = build_teams(students, TeamRules(), team_count=4, seed=seed)
    for year in (1, 4):
        assert [sum(m.year == year for m in t.members) for t in proposal.teams] == [2, 2, 2, 2]


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("interleaved", [True, False])
def test_two_schools_are_mixed_evenly(seed, interleaved):
    pool = Pool()
    if interleaved:
        students = [
            pool.make(level, 2, school=s) for _ in range(4) for level in LEVELS for s in (1, 2)
        ]
    else:
        students = [
            pool.make(level, 2, school=s) for s in (1, 2) for level in LEVELS for _ in range(4)
        ]
    proposal = build_teams(students, TeamRules(), team_count=4, seed=seed)
    for school in (1, 2):
        per_team = [sum(m.school_id == school for m in t.members) for t in proposal.teams]
        assert per_team == [2, 2, 2, 2]


# --- build_teams: determinism ------------------------------------------------------------------


def mixed_pool() -> list[Candidate]:
    return [
        Candidate(
            id=i,
            level="mbo" if i % 3 else "hbo",
            year=1 + i % 4,
            school_id=i % 3,
            weekdays=frozenset({i % 5, (i * 2) % 5}),
        )
        for i in range(1, 41)
    ]


def test_same_input_and_seed_give_the_same_proposal():
    rules = TeamRules(weekdays=frozenset({MONDAY, TUESDAY, WEDNESDAY}))
    first = build_teams(mixed_pool(), rules, team_count=5, seed=7)
    second = build_teams(mixed_pool(), rules, team_count=5, seed=7)
    assert snapshot(first) == snapshot(second)


def test_the_input_order_of_students_does_not_matter():
    rules = TeamRules(weekdays=frozenset({MONDAY, TUESDAY, WEDNESDAY}))
    students = mixed_pool()
    forward = build_teams(students, rules, team_count=5, seed=3)
    backward = build_teams(students[::-1], rules, team_count=5, seed=3)
    shuffled = build_teams(students[1::2] + students[::2], rules, team_count=5, seed=3)
    assert snapshot(forward) == snapshot(backward) == snapshot(shuffled)


def test_the_seed_changes_the_proposal():
    students = mixed_pool()
    proposals = {
        repr(snapshot(build_teams(students, TeamRules(), team_count=5, seed=s))) for s in range(10)
    }
    assert len(proposals) > 1


# --- build_teams: small and odd pools ----------------------------------------------------------


def test_an_empty_pool_gives_no_teams():
    proposal = build_teams([], TeamRules(), team_count=3)
    assert proposal.teams == [] and proposal.unplaced == []
    assert proposal.ok and proposal.hard_ok


def test_a_pool_without_shared_weekdays_gives_no_teams():
    pool = Pool()
    students = pool.many(3, "hbo", 3, weekdays=frozenset({SATURDAY}))
    proposal = build_teams(students, TeamRules(), team_count=2)
    assert proposal.teams == []
    assert proposal.unplaced == [(s.id, NO_WEEKDAY) for s in students]


def test_a_pool_smaller_than_team_count_gives_one_team_per_student():
    pool = Pool()
    students = [pool.make("mbo", 3), pool.make("hbo", 3)]
    proposal = build_teams(students, TeamRules(min_mbo=1, min_hbo=1), team_count=5)
    assert sizes(proposal) == [1, 1]
    assert sorted(placed_ids(proposal)) == [s.id for s in students]
    assert proposal.unplaced == []
    assert sorted(rules_of(p for t in proposal.teams for p in t.problems)) == [MIN_HBO, MIN_MBO]
    assert not proposal.hard_ok


def test_a_single_student_makes_one_team():
    student = Pool().make("hbo", 2)
    proposal = build_teams([student], TeamRules(min_mbo=0), team_size=4)
    assert [t.member_ids for t in proposal.teams] == [[student.id]]
    assert proposal.teams[0].peer_coach == student.id
    assert proposal.ok


def test_unplaced_is_sorted_and_every_student_appears_exactly_once():
    pool = Pool()
    rules = TeamRules(max_size=3, weekdays=frozenset({MONDAY}))
    students = []
    for i in range(20):
        days = frozenset({MONDAY}) if i % 3 else frozenset({FRIDAY})
        students.append(pool.make("mbo" if i % 2 else "hbo", 1 + i % 4, weekdays=days))
    proposal = build_teams(students[::-1], rules, team_count=2)
    assert proposal.unplaced == sorted(proposal.unplaced)
    assert {reason for _, reason in proposal.unplaced} == {NO_ROOM, NO_WEEKDAY}
    everyone = placed_ids(proposal) + [i for i, _ in proposal.unplaced]
    assert sorted(everyone) == [s.id for s in students]


# --- Proposal and ProposedTeam -----------------------------------------------------------------


def test_proposal_ok_and_hard_ok():
    fine = ProposedTeam(members=[mbo(3)], peer_coach=1)
    no_coach = ProposedTeam(problems=[Problem(PEER_COACH)])
    too_big = ProposedTeam(problems=[Problem(MAX_SIZE, 9, 8)])
    assert Proposal([fine], []).ok
    assert not Proposal([fine, no_coach], []).ok
    assert Proposal([fine, no_coach], []).hard_ok
    assert not Proposal([fine, too_big], []).hard_ok


def test_member_ids_and_problems_by_team():
    members = [mbo(1, student_id=4), hbo(1, student_id=2)]
    team = ProposedTeam(members=members, problems=[Problem(PEER_COACH)])
    assert team.member_ids == [4, 2]
    proposal = Proposal([ProposedTeam(), team], [])
    assert problems_by_team(proposal) == {0: [], 1: [Problem(PEER_COACH)]}


# --- properties --------------------------------------------------------------------------------


def weekdays_of(mask: int) -> frozenset[int]:
    """A set of weekdays from a bit mask (bit 0 Monday ... bit 6 Sunday)."""
    return frozenset(d for d in range(7) if mask >> d & 1)


# A non-empty set of weekdays as one drawn number: 1 (Monday only) and 127 (every day) are among
# the values Hypothesis tries first.
weekday_sets = st.integers(1, 127).map(weekdays_of)
STUDENT_BYTES = 6


@st.composite
def pools(draw) -> list[Candidate]:
    """0-120 distinct students, then some given again (an exact duplicate).

    Each student is read from six bytes of one drawn byte string: id, level, year, school and
    weekdays. One draw for a whole pool instead of five per student makes the 200 examples of each
    property several times cheaper; the bytes shrink towards zero, so a failing pool still shrinks
    to few students, the first level, year 1, school 1 and Mondays only."""
    n = draw(st.integers(0, 120))
    raw = draw(st.binary(min_size=STUDENT_BYTES * n, max_size=STUDENT_BYTES * n))
    students = []
    for i in range(n):
        b = raw[STUDENT_BYTES * i : STUDENT_BYTES * (i + 1)]
        students.append(
            Candidate(
                id=((b[0] << 8 | b[1]) % 10_000 + 1) * 1000 + i,
                level=LEVELS[b[2] % len(LEVELS)],
                year=b[3] % 4 + 1,
                school_id=b[4] % 4 + 1,
                weekdays=weekdays_of(b[5] % 127 + 1),
            )
        )
    if students:
        students += draw(st.lists(st.sampled_from(students), max_size=5))
    return students


@st.composite
def team_rules(draw) -> TeamRules:
    min_mbo = draw(st.integers(0, 3))
    min_hbo = draw(st.integers(0, 3))
    max_size = draw(st.integers(max(1, min_mbo + min_hbo), 12))
    return TeamRules(min_mbo, min_hbo, max_size, draw(weekday_sets))


team_shapes = st.one_of(
    st.fixed_dictionaries({"team_count": st.integers(1, 15)}),
    st.fixed_dictionaries({"team_size": st.integers(1, 12)}),
)
seeds = st.integers(0, 2**32)


def eligible(students: list[Candidate], rules: TeamRules) -> dict[int, Candidate]:
    return {s.id: s for s in students if shares_a_weekday(s, rules)}


PROPERTY = settings(max_examples=200, deadline=None)


@PROPERTY
@given(pools(), team_rules(), team_shapes, seeds)
def test_property_everyone_is_placed_or_unplaced_exactly_once(students, rules, shape, seed):
    proposal = build_teams(students, rules, seed=seed, **shape)
    placed = placed_ids(proposal)
    unplaced = [i for i, _ in proposal.unplaced]
    assert len(placed) == len(set(placed))
    assert len(unplaced) == len(set(unplaced))
    assert sorted(placed + unplaced) == sorted({s.id for s in students})
    assert proposal.unplaced == sorted(proposal.unplaced)


@PROPERTY
@given(pools(), team_rules(), team_shapes, seeds)
def test_property_placed_students_share_a_weekday_and_reasons_are_right(
    students, rules, shape, seed
):
    proposal = build_teams(students, rules, seed=seed, **shape)
    pool = eligible(students, rules)
    for team in proposal.teams:
        assert all(shares_a_weekday(m, rules) for m in team.members)
    for student_id, reason in proposal.unplaced:
        assert reason == (NO_ROOM if student_id in pool else NO_WEEKDAY)
    no_room = sum(reason == NO_ROOM for _, reason in proposal.unplaced)
    assert no_room == max(0, len(pool) - len(proposal.teams) * rules.max_size)


@PROPERTY
@given(pools(), team_rules(), team_shapes, seeds)
def test_property_no_team_exceeds_max_size_or_is_empty(students, rules, shape, seed):
    proposal = build_teams(students, rules, seed=seed, **shape)
    assert all(1 <= len(team.members) <= rules.max_size for team in proposal.teams)
    pool = eligible(students, rules)
    assert len(proposal.teams) <= len(pool)
    if "team_count" in shape and pool:
        assert len(proposal.teams) == min(shape["team_count"], len(pool))


@PROPERTY
@given(pools(), team_rules(), team_shapes, seeds)
def test_property_minimums_met_when_the_pool_has_enough(students, rules, shape, seed):
    proposal = build_teams(students, rules, seed=seed, **shape)
    k = len(proposal.teams)
    mbo_n, hbo_n = level_counts(list(eligible(students, rules).values()))
    if mbo_n >= rules.min_mbo * k and hbo_n >= rules.min_hbo * k:
        for team in proposal.teams:
            assert level_counts(team.members)[0] >= rules.min_mbo
            assert level_counts(team.members)[1] >= rules.min_hbo
        assert proposal.hard_ok
    # In general the hard rules a team does not report, it really meets.
    for team in proposal.teams:
        reported = set(rules_of(team.problems))
        actual = set(rules_of(composition_problems(team.members, rules)))
        assert actual & set(HARD_RULES) <= reported


@PROPERTY
@given(pools(), team_rules(), team_shapes, seeds)
def test_property_same_call_gives_the_same_proposal(students, rules, shape, seed):
    first = build_teams(students, rules, seed=seed, **shape)
    assert snapshot(build_teams(students, rules, seed=seed, **shape)) == snapshot(first)
    assert snapshot(build_teams(students[::-1], rules, seed=seed, **shape)) == snapshot(first)


@PROPERTY
@given(pools(), team_rules(), team_shapes, seeds)
def test_property_problems_are_the_composition_problems(students, rules, shape, seed):
    proposal = build_teams(students, rules, seed=seed, **shape)
    for team in proposal.teams:
        has_coach = team.peer_coach is not None
        assert team.problems == composition_problems(team.members, rules, has_peer_coach=has_coach)
        if has_coach:
            coach = next(m for m in team.members if m.id == team.peer_coach)
            assert coach.can_coach
        else:
            assert not any(m.can_coach for m in team.members)


@PROPERTY
@given(pools(), team_rules(), team_shapes, seeds)
def test_property_peer_coach_everywhere_when_levels_and_coaches_suffice(
    students, rules, shape, seed
):
    proposal = build_teams(students, rules, seed=seed, **shape)
    k = len(proposal.teams)
    pool = list(eligible(students, rules).values())
    mbo_n, hbo_n = level_counts(pool)
    coaches = sum(s.can_coach for s in pool)
    both_levels_everywhere = (
        min(rules.min_mbo, rules.min_hbo) >= 1
        and mbo_n >= rules.min_mbo * k
        and hbo_n >= rules.min_hbo * k
    )
    # With both levels in every team, a coach of either level fits every team.
    if both_levels_everywhere and coaches >= k:
        assert all(team.peer_coach is not None for team in proposal.teams)


@PROPERTY
@given(pools(), team_rules(), team_shapes, seeds)
def test_property_sizes_within_one_and_no_lone_minority_when_levels_allow(
    students, rules, shape, seed
):
    proposal = build_teams(students, rules, seed=seed, **shape)
    k = len(proposal.teams)
    placed = [m for team in proposal.teams for m in team.members]
    counts = dict(zip(LEVELS, level_counts(placed), strict=True))
    minimum = {"mbo": rules.min_mbo, "hbo": rules.min_hbo}
    if all(counts[lv] == 0 or counts[lv] >= 2 * k for lv in LEVELS):
        assert not any(ISOLATED_MINORITY in rules_of(t.problems) for t in proposal.teams)
    if all(counts[lv] == 0 or counts[lv] >= 2 * k or minimum[lv] >= 1 for lv in LEVELS):
        assert max(sizes(proposal), default=0) - min(sizes(proposal), default=0) <= 1
