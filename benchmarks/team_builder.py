"""Time the team builder: pure Python, no database.

run(smoke=False): 5,000 students into 600 teams under a partner that takes years 2-4, with
wishes, peer-coach wishes and a supervisor's room; median of 5 runs, which must stay under 2
seconds. run(smoke=True): 50 students into 6 teams, one run.
"""

from __future__ import annotations

import statistics
import time

from wijklab.teams.builder import build_teams
from wijklab.teams.rules import Candidate, TeamRules

LIMIT_MS = 2000


def make_pool(n: int) -> list[Candidate]:
    """A fixed, mixed pool: about a third mbo, all years, four schools, varied weekdays, a
    quarter with a wish for the project and some who want to coach."""
    return [
        Candidate(
            id=i,
            level="mbo" if i % 3 == 0 else "hbo",
            year=1 + (i * 7) % 4,
            school_id=1 + (i * 5) % 4,
            weekdays=frozenset({i % 5, (i * 3 + 1) % 5}),
            wish_rank=(i % 12) + 1 if i % 12 < 3 else None,
            wants_peer_coach=i % 7 == 0,
        )
        for i in range(1, n + 1)
    ]


def run(smoke: bool) -> None:
    students, teams, rounds = (50, 6, 1) if smoke else (5000, 600, 5)
    pool = make_pool(students)
    rules = TeamRules(
        min_mbo=1,
        min_hbo=1,
        max_size=10,
        suitable_years=frozenset({2, 3, 4}),
        supervisor_room=teams * 10,
    )
    times = []
    for seed in range(rounds):
        start = time.perf_counter()
        proposal = build_teams(pool, rules, team_count=teams, seed=seed)
        times.append((time.perf_counter() - start) * 1000)
        assert len(proposal.teams) == teams, len(proposal.teams)
        assert proposal.hard_ok, "a hard rule is broken"
    median = statistics.median(times)
    label = f"{students} students into {teams} teams"
    print(f"  team builder: {label:<28} {median:8.2f} ms median")
    if not smoke:
        assert median < LIMIT_MS, f"the team builder took {median:.0f} ms (limit {LIMIT_MS} ms)"


if __name__ == "__main__":
    run(smoke=False)
