"""Team composition rules as pure functions of plain data: used by the builder, the team page and
the check that gates activating a project."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Candidate:
    """A student as the rules see them."""

    id: int
    level: str  # "mbo" or "hbo"
    year: int
    school_id: int | None = None
    weekdays: frozenset[int] = field(default_factory=frozenset)
    wish_rank: int | None = None  # 1-3 when the student wished this project, else None
    wants_peer_coach: bool = False

    @property
    def can_coach(self) -> bool:
        """A peer coach is a year 3-4 student, or an hbo student from year 2."""
        return self.year >= 3 or (self.level == "hbo" and self.year >= 2)


@dataclass(frozen=True)
class TeamRules:
    """The project's rules for each team."""

    min_mbo: int = 1
    min_hbo: int = 1
    max_size: int = 8
    weekdays: frozenset[int] = field(default_factory=lambda: frozenset(range(5)))
    # The partner's suitable levels and years; empty means all.
    suitable_levels: frozenset[str] = field(default_factory=frozenset)
    suitable_years: frozenset[int] = field(default_factory=frozenset)
    # Students the chosen supervisor can still take on (two per declared supervision hour a
    # week, less those in their running teams); None when no supervisor is chosen.
    supervisor_room: int | None = None


@dataclass(frozen=True)
class Problem:
    """A rule a team does not meet: ``rule`` is a stable code, ``have`` and ``need`` numbers."""

    rule: str
    have: int = 0
    need: int = 0


# Stable rule codes, in the order the builder weighs them.
MIN_MBO = "min_mbo"
MIN_HBO = "min_hbo"
MAX_SIZE = "max_size"
ISOLATED_MINORITY = "isolated_minority"
PEER_COACH = "peer_coach"
HARD_RULES = (MIN_MBO, MIN_HBO, MAX_SIZE)
# The rules about who may join at all, and the supervisor's room: never broken in a proposal
# the builder makes, and reported when an edited proposal breaks them.
PARTNER_LEVEL = "partner_level"
PARTNER_YEAR = "partner_year"
NO_WEEKDAY = "no_weekday_overlap"
SUPERVISOR_FULL = "supervisor_full"
FIT_RULES = (PARTNER_LEVEL, PARTNER_YEAR, NO_WEEKDAY)


def level_counts(members: list[Candidate]) -> tuple[int, int]:
    mbo = sum(1 for m in members if m.level == "mbo")
    return mbo, len(members) - mbo


def composition_problems(
    members: list[Candidate], rules: TeamRules, *, has_peer_coach: bool | None = None
) -> list[Problem]:
    """Every rule this team breaks. ``has_peer_coach`` None means: any member could coach."""
    problems = []
    mbo, hbo = level_counts(members)
    if mbo < rules.min_mbo:
        problems.append(Problem(MIN_MBO, mbo, rules.min_mbo))
    if hbo < rules.min_hbo:
        problems.append(Problem(MIN_HBO, hbo, rules.min_hbo))
    if len(members) > rules.max_size:
        problems.append(Problem(MAX_SIZE, len(members), rules.max_size))
    if (mbo == 1 and hbo >= 2) or (hbo == 1 and mbo >= 2):
        problems.append(Problem(ISOLATED_MINORITY, 1, 2))
    coach = has_peer_coach if has_peer_coach is not None else any(m.can_coach for m in members)
    if members and not coach:
        problems.append(Problem(PEER_COACH, 0, 1))
    return problems


def hard_problems(members: list[Candidate], rules: TeamRules) -> list[Problem]:
    """Only the rules that block activating a project: level minimums and the maximum size."""
    return [p for p in composition_problems(members, rules) if p.rule in HARD_RULES]


def shares_a_weekday(candidate: Candidate, rules: TeamRules) -> bool:
    """At least one day in common; a project without days takes any student."""
    return not rules.weekdays or bool(candidate.weekdays & rules.weekdays)


def fit_problem(candidate: Candidate, rules: TeamRules) -> str | None:
    """The first rule that keeps this student out of the project's teams, or None."""
    if rules.suitable_levels and candidate.level not in rules.suitable_levels:
        return PARTNER_LEVEL
    if rules.suitable_years and candidate.year not in rules.suitable_years:
        return PARTNER_YEAR
    if not shares_a_weekday(candidate, rules):
        return NO_WEEKDAY
    return None


def member_problems(members: list[Candidate], rules: TeamRules) -> list[Problem]:
    """Per fit rule, how many members of a team break it (``have``)."""
    found = Counter(fit_problem(m, rules) for m in members)
    return [Problem(rule, found[rule], 0) for rule in FIT_RULES if found[rule]]


def supervisor_problems(sizes: list[int], rules: TeamRules) -> list[list[Problem]]:
    """Per team, the supervisor's room when the teams together go over it: the problem sits on
    the team that goes over and every team with members after it."""
    result: list[list[Problem]] = [[] for _ in sizes]
    if rules.supervisor_room is None:
        return result
    total = sum(sizes)
    running = 0
    for index, size in enumerate(sizes):
        running += size
        if size and running > rules.supervisor_room:
            result[index].append(Problem(SUPERVISOR_FULL, total, max(rules.supervisor_room, 0)))
    return result
