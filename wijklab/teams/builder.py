"""The team builder: plain data in, proposed teams out. No database, no Flask.

Rules, in order of weight:
1. hard, never broken in a proposal the builder makes: the partner's suitable levels and years;
   a student's weekdays overlap the project's (any, when the project has none); the chosen
   supervisor's room; level minimums and maximum size per team (reported when the pool cannot
   meet them); nobody placed twice. Students left out get the reason why;
2. students who wished this project go first: first wishes before second, third and none;
3. no isolated minority (a single mbo student among hbo students, or the reverse) when the pool
   allows otherwise;
4. a peer coach in every team when the pool has enough, those who want to coach first;
5. years and schools spread so teams are alike; sizes within one of each other.
Deterministic: the same input and seed give the same proposal.
"""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from wijklab.teams.rules import (
    FIT_RULES,
    HARD_RULES,
    NO_WEEKDAY,
    PARTNER_LEVEL,
    PARTNER_YEAR,
    SUPERVISOR_FULL,
    Candidate,
    Problem,
    TeamRules,
    composition_problems,
    fit_problem,
    member_problems,
    supervisor_problems,
)

LEVELS = ("mbo", "hbo")

# Reasons a student is left out of a proposal: a fit rule, the supervisor's room, or no place.
NO_ROOM = "no_room"
BY_HAND = "by_hand"
UNPLACED_REASONS = (
    PARTNER_LEVEL,
    PARTNER_YEAR,
    NO_WEEKDAY,
    SUPERVISOR_FULL,
    NO_ROOM,
    BY_HAND,
)
# Rules a proposal may not break when it is accepted (the level rules only warn, as before).
BLOCKING_RULES = (*FIT_RULES, SUPERVISOR_FULL, "max_size")
NO_WISH = 4  # sorts after wishes 1-3


@dataclass
class ProposedTeam:
    members: list[Candidate] = field(default_factory=list)
    peer_coach: int | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def member_ids(self) -> list[int]:
        return [m.id for m in self.members]


@dataclass
class Proposal:
    teams: list[ProposedTeam]
    unplaced: list[tuple[int, str]]

    @property
    def ok(self) -> bool:
        return not any(t.problems for t in self.teams)

    @property
    def hard_ok(self) -> bool:
        return not any(
            p.rule in HARD_RULES or p.rule in BLOCKING_RULES for t in self.teams for p in t.problems
        )

    @property
    def blocking(self) -> bool:
        """Whether a rule that may not be broken is broken (partner, days, supervisor, size)."""
        return any(p.rule in BLOCKING_RULES for t in self.teams for p in t.problems)

    def wish_counts(self) -> dict[int | None, int]:
        """How many placed students got their first, second or third wish, or none (None)."""
        counts: dict[int | None, int] = {1: 0, 2: 0, 3: 0, None: 0}
        for team in self.teams:
            for member in team.members:
                counts[member.wish_rank] += 1
        return counts


def _wish_order(student: Candidate) -> int:
    return student.wish_rank or NO_WISH


def build_teams(
    students: list[Candidate],
    rules: TeamRules,
    *,
    team_count: int | None = None,
    team_size: int | None = None,
    seed: int = 0,
) -> Proposal:
    """Propose teams for ``students`` under ``rules``; give a number of teams or a team size."""
    rng = random.Random(seed)
    unplaced: list[tuple[int, str]] = []
    pool: list[Candidate] = []
    seen: set[int] = set()
    for student in sorted(students, key=lambda s: s.id):
        if student.id in seen:
            continue  # nobody is placed twice, even when given twice
        seen.add(student.id)
        reason = fit_problem(student, rules)
        if reason is None:
            pool.append(student)
        else:
            unplaced.append((student.id, reason))

    k = _team_count(len(pool), rules, team_count, team_size)
    room = k * rules.max_size
    full_reason = NO_ROOM
    if rules.supervisor_room is not None and k and rules.supervisor_room < room:
        # The supervisor's room is the limit: fewer teams when it cannot hold even the level
        # minimums of each, and no more students than it holds.
        supervisor_room = max(0, rules.supervisor_room)
        per_team = max(1, rules.min_mbo + rules.min_hbo)
        k = min(k, max(1, supervisor_room // per_team)) if supervisor_room else 0
        room = min(k * rules.max_size, supervisor_room)
        full_reason = SUPERVISOR_FULL
    if k == 0:
        unplaced.extend((s.id, full_reason) for s in pool)
        return Proposal(teams=[], unplaced=sorted(unplaced))

    by_level = {level: [s for s in pool if s.level == level] for level in LEVELS}
    for level in LEVELS:
        rng.shuffle(by_level[level])
        # Wishes first, then coaches (stable: the shuffle still orders each group).
        by_level[level].sort(key=lambda s: (_wish_order(s), not s.can_coach))
    if len(pool) > room:
        # Keep the minimums, then wishes and the levels' shares; leave out the juniors last
        # dealt, so coaches stay in.
        keep = _keep_within_capacity(by_level, rules, k, room)
        for level in LEVELS:
            dropped = by_level[level][keep[level] :]
            unplaced.extend((s.id, full_reason) for s in dropped)
            by_level[level] = by_level[level][: keep[level]]

    slots = _level_slots({level: len(by_level[level]) for level in LEVELS}, rules, k)
    teams = [ProposedTeam() for _ in range(k)]
    _place_coaches(by_level, slots, teams)
    _deal_rest(by_level, slots, teams)
    for team in teams:
        choose_coach(team)
    _fill_missing_coaches(teams, rules)
    for team in teams:
        team.members.sort(key=lambda m: (m.level, -m.year, m.id))
    check_teams(teams, rules)
    return Proposal(teams=teams, unplaced=sorted(unplaced))


def check_teams(teams: list[ProposedTeam], rules: TeamRules) -> list[ProposedTeam]:
    """Set each team's problems: composition, members who do not fit, the supervisor's room."""
    over = supervisor_problems([len(t.members) for t in teams], rules)
    for team, supervisor in zip(teams, over, strict=True):
        team.problems = (
            composition_problems(team.members, rules, has_peer_coach=team.peer_coach is not None)
            + member_problems(team.members, rules)
            + supervisor
        )
    return teams


def _team_count(n: int, rules: TeamRules, team_count: int | None, team_size: int | None) -> int:
    if n == 0:
        return 0
    if team_count:
        return max(1, min(team_count, n))
    size = min(team_size or rules.max_size, rules.max_size)
    return max(1, math.ceil(n / max(size, 1)))


def _keep_within_capacity(by_level, rules: TeamRules, k: int, capacity: int) -> dict[str, int]:
    """How many of each level to keep when the pool is larger than the teams can hold."""
    counts = {level: len(by_level[level]) for level in LEVELS}
    keep = {
        "mbo": min(counts["mbo"], rules.min_mbo * k, capacity),
        "hbo": min(counts["hbo"], rules.min_hbo * k),
    }
    keep["hbo"] = min(keep["hbo"], capacity - keep["mbo"])
    room = capacity - keep["mbo"] - keep["hbo"]
    while room > 0 and any(keep[lv] < counts[lv] for lv in LEVELS):
        # The better wish first; at equal wishes the level furthest below its share of the pool.
        level = min(
            (lv for lv in LEVELS if keep[lv] < counts[lv]),
            key=lambda lv: (
                _wish_order(by_level[lv][keep[lv]]),
                keep[lv] / counts[lv],
                lv,
            ),
        )
        keep[level] += 1
        room -= 1
    return keep


def _level_slots(counts: dict[str, int], rules: TeamRules, k: int) -> list[dict[str, int]]:
    """How many students of each level each team gets: minimums first, no lone minority where
    the numbers allow, and team sizes within one of each other."""
    minimum = {"mbo": rules.min_mbo, "hbo": rules.min_hbo}
    per_level = {}
    for level in LEVELS:
        c = counts[level]
        if c >= 2 * k or minimum[level] >= 1 or c == 0:
            # Everyone gets a share; when c < 2k some teams unavoidably get one.
            base, extra = divmod(c, k)
            shares = [base + (1 if i < extra else 0) for i in range(k)]
        else:
            # The level is optional: put its students in pairs or more, in fewer teams.
            groups = max(1, min(k, c // 2))
            base, extra = divmod(c, groups)
            shares = [base + (1 if i < extra else 0) for i in range(groups)] + [0] * (k - groups)
        per_level[level] = shares
    # Pair the largest mbo shares with the smallest hbo shares so team sizes stay even.
    mbo = sorted(per_level["mbo"], reverse=True)
    hbo = sorted(per_level["hbo"])
    slots = [{"mbo": m, "hbo": h} for m, h in zip(mbo, hbo, strict=True)]
    _balance_sizes(slots, rules)
    return slots


def _balance_sizes(slots: list[dict[str, int]], rules: TeamRules) -> None:
    """Move single places from larger teams to smaller ones until sizes are within one of each
    other, as long as a move breaks no more hard rules (level minimums, maximum size) and, at
    equal hard rules, leaves no more lone minorities than before. This also brings a team over
    the maximum size down wherever another team has room."""
    minimum = {"mbo": rules.min_mbo, "hbo": rules.min_hbo}

    def size(i: int) -> int:
        return slots[i]["mbo"] + slots[i]["hbo"]

    def cost(*team_slots: dict[str, int]) -> tuple[int, int]:
        """(places short of a minimum or over the maximum, lone minorities) in these teams."""
        hard = lone = 0
        for slot in team_slots:
            mbo, hbo = slot["mbo"], slot["hbo"]
            hard += sum(max(0, minimum[lv] - slot[lv]) for lv in LEVELS)
            hard += max(0, mbo + hbo - rules.max_size)
            lone += (mbo == 1 and hbo >= 2) or (hbo == 1 and mbo >= 2)
        return hard, lone

    def find_move() -> tuple[int, int, str] | None:
        order = sorted(range(len(slots)), key=lambda i: (-size(i), i))
        for donor in order:
            for receiver in reversed(order):
                if size(donor) - size(receiver) < 2:
                    break  # the receivers after this one are at least as large
                before = cost(slots[donor], slots[receiver])
                options = []
                for level in LEVELS:
                    if slots[donor][level] > 0:
                        taken = {**slots[donor], level: slots[donor][level] - 1}
                        given = {**slots[receiver], level: slots[receiver][level] + 1}
                        surplus = slots[donor][level] - minimum[level]
                        options.append((cost(taken, given), -surplus, level))
                best = min(options, default=None)
                if best is not None and best[0] <= before:
                    return donor, receiver, best[2]
        return None

    # Every move lowers the sum of the squared sizes, so this ends.
    while (move := find_move()) is not None:
        donor, receiver, level = move
        slots[donor][level] -= 1
        slots[receiver][level] += 1


def _seniority(student: Candidate) -> tuple:
    """Who coaches first: those who want to, then the most senior."""
    return (
        not student.wants_peer_coach,
        -student.year,
        student.level != "hbo",
        student.id,
    )


def _place_coaches(by_level, slots, teams: list[ProposedTeam]) -> None:
    """Put one possible peer coach in each team first, the most senior first."""
    coaches = sorted(
        (s for level in LEVELS for s in by_level[level] if s.can_coach), key=_seniority
    )
    placed: set[int] = set()
    has_coach = [any(m.can_coach for m in team.members) for team in teams]
    for coach in coaches:
        if all(has_coach):
            break
        open_teams = [
            i for i in range(len(teams)) if not has_coach[i] and slots[i][coach.level] > 0
        ]
        if not open_teams:
            continue
        target = max(open_teams, key=lambda i: (slots[i][coach.level], -i))
        teams[target].members.append(coach)
        slots[target][coach.level] -= 1
        has_coach[target] = True
        placed.add(coach.id)
    for level in LEVELS:
        by_level[level] = [s for s in by_level[level] if s.id not in placed]


def _deal_rest(by_level, slots, teams: list[ProposedTeam]) -> None:
    """Deal the others by level, sorted by year and school: each to the team with a place for
    their level that has the fewest of their year so far (the coaches placed first count too),
    then the fewest of their school, then the most places left, so that each team gets a like
    mix of years and schools."""
    years = [Counter(m.year for m in team.members) for team in teams]
    schools = [Counter(m.school_id for m in team.members) for team in teams]
    for level in LEVELS:
        # Stable: the seeded shuffle orders students of the same year and school.
        order = sorted(by_level[level], key=lambda s: (-s.year, s.school_id or 0))
        for student in order:
            target = min(
                (i for i in range(len(teams)) if slots[i][level] > 0),
                key=lambda i: (
                    years[i][student.year],
                    schools[i][student.school_id],
                    -slots[i][level],
                    i,
                ),
            )
            teams[target].members.append(student)
            slots[target][level] -= 1
            years[target][student.year] += 1
            schools[target][student.school_id] += 1


def choose_coach(team: ProposedTeam) -> None:
    coaches = sorted((m for m in team.members if m.can_coach), key=_seniority)
    team.peer_coach = coaches[0].id if coaches else None


def _fill_missing_coaches(teams: list[ProposedTeam], rules: TeamRules) -> None:
    """Swap a spare coach into a team without one, for a non-coach of the same level."""
    for needy in [t for t in teams if t.peer_coach is None]:
        for donor in teams:
            spare = [m for m in donor.members if m.can_coach and m.id != donor.peer_coach]
            swapped = False
            for coach in sorted(spare, key=_seniority):
                partner = next(
                    (m for m in needy.members if m.level == coach.level and not m.can_coach),
                    None,
                )
                if partner is None:
                    continue
                donor.members.remove(coach)
                needy.members.remove(partner)
                donor.members.append(partner)
                needy.members.append(coach)
                needy.peer_coach = coach.id
                swapped = True
                break
            if swapped:
                break


def problems_by_team(proposal: Proposal) -> dict[int, list[Problem]]:
    result: dict[int, list[Problem]] = defaultdict(list)
    for index, team in enumerate(proposal.teams):
        result[index].extend(team.problems)
    return dict(result)
