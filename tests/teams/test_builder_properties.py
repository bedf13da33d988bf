"""Properties of the team builder: no hard rule is broken silently, and the same input gives
the same proposal."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from wijklab.teams.builder import build_teams
from wijklab.teams.rules import (
    MAX_SIZE,
    MIN_HBO,
    MIN_MBO,
    Candidate,
    TeamRules,
    fit_problem,
)

DAYS = st.frozensets(st.integers(0, 4), max_size=3)

students = st.lists(
    st.builds(
        Candidate,
        id=st.integers(1, 200),
        level=st.sampled_from(["mbo", "hbo"]),
        year=st.integers(1, 4),
        school_id=st.integers(1, 3),
        weekdays=DAYS,
        wish_rank=st.one_of(st.none(), st.integers(1, 3)),
        wants_peer_coach=st.booleans(),
    ),
    max_size=60,
    unique_by=lambda c: c.id,  # one record per student, as the database gives
)


@st.composite
def team_rules(draw):
    max_size = draw(st.integers(2, 8))
    min_mbo = draw(st.integers(0, max_size // 2))
    return TeamRules(
        min_mbo=min_mbo,
        min_hbo=draw(st.integers(0, max_size - min_mbo)),
        max_size=max_size,
        weekdays=draw(DAYS),
        suitable_levels=draw(st.frozensets(st.sampled_from(["mbo", "hbo"]))),
        suitable_years=draw(st.frozensets(st.integers(1, 4))),
        supervisor_room=draw(st.one_of(st.none(), st.integers(-2, 40))),
    )


@settings(max_examples=150, deadline=None)
@given(students, team_rules(), st.integers(1, 8), st.integers(0, 3))
def test_no_hard_rule_is_ever_broken_silently(pool, rules, team_count, seed):
    proposal = build_teams(pool, rules, team_count=team_count, seed=seed)
    placed = [m for team in proposal.teams for m in team.members]
    # Nobody twice, everybody accounted for once.
    assert len(placed) == len({m.id for m in placed})
    assert {m.id for m in placed} | {i for i, _ in proposal.unplaced} == {s.id for s in pool}
    assert not {m.id for m in placed} & {i for i, _ in proposal.unplaced}
    # Every placed student suits the partner and shares a day: these are never broken.
    assert all(fit_problem(m, rules) is None for m in placed)
    # The supervisor is never given more students than their room.
    if rules.supervisor_room is not None:
        assert len(placed) <= max(0, rules.supervisor_room)
    for team in proposal.teams:
        reported = {p.rule for p in team.problems}
        mbo = sum(m.level == "mbo" for m in team.members)
        hbo = len(team.members) - mbo
        assert len(team.members) <= rules.max_size or MAX_SIZE in reported
        assert mbo >= rules.min_mbo or MIN_MBO in reported
        assert hbo >= rules.min_hbo or MIN_HBO in reported
        assert not reported - {
            MAX_SIZE,
            MIN_MBO,
            MIN_HBO,
            "isolated_minority",
            "peer_coach",
        }


@settings(max_examples=60, deadline=None)
@given(students, team_rules(), st.integers(1, 8), st.integers(0, 3))
def test_the_same_input_and_variant_give_the_same_proposal(pool, rules, team_count, seed):
    first = build_teams(pool, rules, team_count=team_count, seed=seed)
    again = build_teams(list(reversed(pool)), rules, team_count=team_count, seed=seed)
    assert first == again
