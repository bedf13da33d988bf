"""Time the team builder: pure Python, no database.

run(smoke=False): 500 students into 60 teams, median of 20 runs; run(smoke=True): 50 students
into 6 teams, one run.
"""

from __future__ import annotations

import statistics
import time

from wijklab.teams.builder import build_teams
from wijklab.teams.rules import Candidate, TeamRules


def make_pool(n: int) -> list[Candidate]:
    """A fixed, mixed pool: about a third mbo, all years, four schools, varied weekdays."""
    return [
        Candidate(
            id=i,
            level="mbo" if i % 3 == 0 else "hbo",
            year=1 + (i * 7) % 4,
            school_id=1 + (i * 5) % 4,
            weekdays=frozenset({i % 5, (i * 3 + 1) % 5}),
        )
        for i in range(1, n + 1)
    ]


def run(smoke: bool) -> None:
    students, teams, rounds = (50, 6, 1) if smoke else (500, 60, 20)
    pool = make_pool(students)
    rules = TeamRules(min_mbo=1, min_hbo=1, max_size=10)
    times = []
    for seed in range(rounds):
        start = time.perf_counter()
        proposal = build_teams(pool, rules, team_count=teams, seed=seed)
        times.append((time.perf_counter() - start) * 1000)
        assert len(proposal.teams) == teams, len(proposal.teams)
    label = f"{students} students into {teams} teams"
    print(f"  team builder: {label:<28} {statistics.median(times):8.2f} ms median")


if __name__ == "__main__":
    run(smoke=False)
