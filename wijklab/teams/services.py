"""Team rules: the supervisor comes from the project's partner, periods sit inside the project,
members are students, a full team takes nobody more, and a project is activated only when every
team meets its composition rules."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from wijklab.accounts.forms import WEEKDAY_LABELS
from wijklab.accounts.models import Role, User
from wijklab.activity.models import Delivery
from wijklab.activity.services import (
    notify,
    record,
    register_actions,
    register_kind,
    register_object_link,
)
from wijklab.clock import utcnow
from wijklab.errors import Conflict, NotAllowed, WijklabError
from wijklab.extensions import db
from wijklab.projects.models import Project, ProjectStatus
from wijklab.teams.builder import Proposal
from wijklab.teams.models import NAME_MAX, MemberRole, Team, TeamMembership
from wijklab.teams.rules import (
    HARD_RULES,
    ISOLATED_MINORITY,
    MAX_SIZE,
    MIN_HBO,
    MIN_MBO,
    NO_WEEKDAY,
    PARTNER_LEVEL,
    PARTNER_YEAR,
    PEER_COACH,
    SUPERVISOR_FULL,
    Candidate,
    Problem,
    TeamRules,
    composition_problems,
    fit_problem,
)

RULE_MESSAGES = {
    MIN_MBO: _l("minder dan %(need)s mbo-student(en): nu %(have)s"),
    MIN_HBO: _l("minder dan %(need)s hbo-student(en): nu %(have)s"),
    MAX_SIZE: _l("meer dan %(need)s leden: nu %(have)s"),
    ISOLATED_MINORITY: _l("één student alleen tussen studenten van het andere niveau"),
    PEER_COACH: _l("geen peercoach (een student van jaar 3-4, of hbo vanaf jaar 2)"),
    PARTNER_LEVEL: _l("%(have)s student(en) van een niveau dat de partner niet aanneemt"),
    PARTNER_YEAR: _l("%(have)s student(en) van een studiejaar dat de partner niet aanneemt"),
    NO_WEEKDAY: _l("%(have)s student(en) niet beschikbaar op de projectdagen"),
    SUPERVISOR_FULL: _l(
        "de werkbegeleider heeft ruimte voor %(need)s studenten, de teams hebben er %(have)s"
    ),
}


register_object_link("Team", "teams.detail", "team_id")
register_actions(
    {"team.rules_overridden": _l("Student toegevoegd aan een team ondanks een teamregel")}
)
register_object_link("Project", "projects.detail", "project_id")

register_kind(
    "added_to_team",
    _l("Je bent toegevoegd aan %(team)s van het project ‘%(project)s’."),
    label=_l("Je bent aan een team toegevoegd"),
    roles={Role.STUDENT},
    defaults={Role.STUDENT: Delivery.IMMEDIATE},
)


def _tell_added(team: Team, student_id: int, by: User | None) -> None:
    """Tell the student they joined ``team``, unless they added themselves."""
    if by is not None and by.id == student_id:
        return
    notify(
        student_id,
        "added_to_team",
        f"/teams/{team.id}",
        team=team.name,
        project=team.project.title,
    )


def describe(problem: Problem):
    """The rule a team breaks, in the user's language."""
    return RULE_MESSAGES[problem.rule] % {"have": problem.have, "need": problem.need}


def project_rules(project: Project) -> TeamRules:
    return TeamRules(
        min_mbo=project.min_mbo,
        min_hbo=project.min_hbo,
        max_size=project.max_size,
        weekdays=frozenset(project.weekdays),
    )


def candidate(user: User) -> Candidate:
    profile = user.student_profile
    return Candidate(
        id=user.id,
        level=profile.level.value,
        year=profile.study_year,
        school_id=profile.school_id,
        weekdays=frozenset(profile.available_weekdays),
    )


def team_problems(team: Team) -> list[Problem]:
    """The composition rules this team breaks now (warnings while the team is being built)."""
    current = team.current_memberships
    members = [candidate(m.student) for m in current if m.student.student_profile]
    has_coach = any(m.role == MemberRole.PEER_COACH for m in current)
    return composition_problems(members, project_rules(team.project), has_peer_coach=has_coach)


# --- teams -----------------------------------------------------------------------------------


@dataclass
class TeamData:
    name: str
    supervisor: User | None
    start_date: date
    end_date: date


def _check_open(project: Project) -> None:
    if not project.is_open:
        raise NotAllowed(
            _l("Dit project is afgerond of gearchiveerd en neemt geen nieuwe teams of leden aan.")
        )


def _check_team(project: Project, data: TeamData, team: Team | None = None) -> None:
    name = data.name.strip()
    if not name:
        raise WijklabError(_l("Vul een naam in."), field="name")
    if len(name) > NAME_MAX:
        raise WijklabError(_l("Een teamnaam mag hoogstens 80 tekens hebben."), field="name")
    taken = select(Team.id).where(
        Team.project_id == project.id, func.lower(Team.name) == name.lower()
    )
    if team is not None:
        taken = taken.where(Team.id != team.id)
    if db.session.scalar(taken) is not None:
        raise Conflict(_l("Dit project heeft al een team met deze naam."), field="name")
    supervisor = data.supervisor
    if (
        supervisor is None
        or supervisor.role != Role.SUPERVISOR
        or not supervisor.is_active
        or supervisor.supervisor_profile is None
    ):
        raise WijklabError(_l("Kies een werkbegeleider."), field="supervisor_id")
    if supervisor.supervisor_profile.organisation_id != project.partner_id:
        raise WijklabError(
            _l("De werkbegeleider moet werken bij de partnerorganisatie van dit project."),
            field="supervisor_id",
        )
    if data.end_date < data.start_date:
        raise WijklabError(_l("De einddatum moet op of na de startdatum liggen."), field="end_date")
    if data.start_date < project.start_date or data.end_date > project.end_date:
        raise WijklabError(
            _l(
                "De teamperiode valt binnen de projectperiode (%(start)s tot en met %(end)s).",
                start=project.start_date.strftime("%d-%m-%Y"),
                end=project.end_date.strftime("%d-%m-%Y"),
            ),
            field="start_date",
        )


def create_team(project: Project, data: TeamData) -> Team:
    """A new team in an open project, with a supervisor from the project's partner."""
    _check_open(project)
    _check_team(project, data)
    team = Team(
        project=project,
        name=data.name.strip(),
        supervisor=data.supervisor,
        start_date=data.start_date,
        end_date=data.end_date,
    )
    db.session.add(team)
    db.session.flush()
    return team


def update_team(team: Team, data: TeamData) -> Team:
    _check_open(team.project)
    _check_team(team.project, data, team)
    team.name = data.name.strip()
    team.supervisor = data.supervisor
    team.start_date = data.start_date
    team.end_date = data.end_date
    db.session.flush()
    return team


# --- members ---------------------------------------------------------------------------------


def add_member(
    team: Team,
    student: User | None,
    *,
    role: MemberRole = MemberRole.MEMBER,
    today: date,
    by: User | None = None,
    rules: TeamRules | None = None,
    confirmed: bool = False,
) -> TeamMembership:
    """Add a student to a team; someone who left before rejoins. A student who breaks a hard
    rule (``joining_problems``) joins only ``confirmed``, and the audit trail names the rules."""
    _check_open(team.project)
    if student is None or student.role != Role.STUDENT or student.student_profile is None:
        raise WijklabError(
            _l("Alleen studenten kunnen lid worden van een team."), field="student_id"
        )
    if not student.is_active:
        raise WijklabError(_l("Deze student is gedeactiveerd."), field="student_id")
    existing = team.membership_of(student)
    if existing is not None and existing.left_on is None:
        raise Conflict(_l("%(name)s zit al in dit team.", name=student.name), field="student_id")
    school_id = team.project.school_id
    if school_id is not None and student.student_profile.school_id != school_id:
        raise WijklabError(
            _l("Deze student zit op een andere school dan de school van dit project."),
            field="student_id",
        )
    problems = joining_problems(team, student, rules or project_rules(team.project))
    if problems and not confirmed:
        raise NeedsConfirmation(problems)
    if existing is not None:
        existing.left_on = None
        existing.joined_on = today
        existing.role = role
        membership = existing
    else:
        membership = TeamMembership(team=team, student=student, role=role, joined_on=today)
        db.session.add(membership)
    db.session.flush()
    if problems:
        record(
            by,
            "team.rules_overridden",
            team,
            student_id=student.id,
            rules=[code for code, _message in problems],
        )
    _tell_added(team, student.id, by)
    return membership


class NeedsConfirmation(WijklabError):
    """Adding the student breaks hard rules the wijkdocent may override after confirming;
    ``problems`` holds (rule code, message) pairs."""

    status_code = 422

    def __init__(self, problems: list[tuple[str, object]]) -> None:
        super().__init__(" ".join(str(message) for _code, message in problems), "student_id")
        self.problems = problems


# Each fit rule, and the rules without it: to find every rule a student breaks with the
# planner's ``fit_problem``, which names only the first.
_WITHOUT = {
    PARTNER_LEVEL: {"suitable_levels": frozenset()},
    PARTNER_YEAR: {"suitable_years": frozenset()},
    NO_WEEKDAY: {"weekdays": frozenset()},
}


def fit_problems(student: Candidate, rules: TeamRules) -> list[str]:
    """Every fit rule (partner's levels and years, the project's days) the student breaks."""
    found = []
    while (rule := fit_problem(student, rules)) is not None:
        found.append(rule)
        rules = dataclasses.replace(rules, **_WITHOUT[rule])
    return found


def _span(values) -> str:
    """Years as "2–4" when they follow each other, else "1, 3"."""
    values = sorted(values)
    if len(values) > 1 and values == list(range(values[0], values[-1] + 1)):
        return f"{values[0]}–{values[-1]}"
    return ", ".join(str(v) for v in values)


def _days(weekdays) -> str:
    labels = dict(WEEKDAY_LABELS)
    return ", ".join(str(labels[d]) for d in sorted(weekdays))


def fit_reasons(student: Candidate, rules: TeamRules, partner: str) -> list:
    """In short, why a student does not fit the team (for the list of students)."""
    reasons = {
        PARTNER_LEVEL: lambda: _l(
            "%(partner)s neemt geen %(level)s-studenten", partner=partner, level=student.level
        ),
        PARTNER_YEAR: lambda: _l(
            "%(partner)s neemt alleen studiejaar %(years)s",
            partner=partner,
            years=_span(rules.suitable_years),
        ),
        NO_WEEKDAY: lambda: _l("niet beschikbaar op de projectdagen"),
    }
    return [reasons[rule]() for rule in fit_problems(student, rules)]


def joining_problems(team: Team, student: User, rules: TeamRules) -> list[tuple[str, object]]:
    """The hard rules adding ``student`` to ``team`` would break: the partner's levels and
    years, the project's days, the maximum size and the supervisor's room."""
    found = candidate(student)
    partner = team.project.partner.name if team.project.partner else ""
    messages = {
        PARTNER_LEVEL: lambda: _l(
            "%(name)s is %(level)s-student; %(partner)s neemt alleen %(levels)s-studenten.",
            name=student.name,
            level=found.level,
            partner=partner,
            levels=" en ".join(sorted(rules.suitable_levels)),
        ),
        PARTNER_YEAR: lambda: _l(
            "%(name)s zit in studiejaar %(year)s; %(partner)s neemt alleen studiejaar %(years)s.",
            name=student.name,
            year=found.year,
            partner=partner,
            years=_span(rules.suitable_years),
        ),
        NO_WEEKDAY: lambda: _l(
            "%(name)s is niet beschikbaar op de dagen van dit project (%(days)s).",
            name=student.name,
            days=_days(rules.weekdays),
        ),
    }
    problems = [(rule, messages[rule]()) for rule in fit_problems(found, rules)]
    problems.extend(team_full_problems(team, rules))
    return problems


def team_full_problems(team: Team, rules: TeamRules) -> list[tuple[str, object]]:
    """The rules any newcomer would break: the team is full, or its supervisor has no room."""
    problems: list[tuple[str, object]] = []
    if len(team.current_memberships) >= rules.max_size:
        problems.append(
            (MAX_SIZE, _l("Dit team is vol: het maximum is %(max)s leden.", max=rules.max_size))
        )
    if rules.supervisor_room is not None and rules.supervisor_room <= 0:
        problems.append(
            (
                SUPERVISOR_FULL,
                _l(
                    "%(supervisor)s heeft geen ruimte meer: twee studenten per opgegeven "
                    "begeleidingsuur per week, en die plaatsen zijn bezet in de lopende teams.",
                    supervisor=team.supervisor.name,
                ),
            )
        )
    return problems


def remove_member(membership: TeamMembership, *, today: date) -> None:
    """The student leaves the team; the membership and their work stay, with a left date."""
    _check_open(membership.team.project)
    if membership.left_on is not None:
        raise WijklabError(_l("Deze student heeft het team al verlaten."))
    membership.left_on = max(today, membership.joined_on)
    membership.role = MemberRole.MEMBER
    db.session.flush()


def set_member_role(membership: TeamMembership, role: MemberRole) -> None:
    """Make a current member the peer coach, or a member again."""
    _check_open(membership.team.project)
    if membership.left_on is not None:
        raise WijklabError(_l("Deze student zit niet meer in het team."))
    membership.role = role
    db.session.flush()


def write_handover(team: Team, note: str, *, by: User) -> None:
    """The handover note for the next team ("estafette"); writing it again replaces it."""
    note = (note or "").strip()
    if not note:
        raise WijklabError(_l("Schrijf iets voor het volgende team."), field="note")
    team.handover_note = note
    team.handover_by = by
    team.handover_at = utcnow()
    db.session.flush()


# --- warnings per member ---------------------------------------------------------------------


@dataclass
class MemberWarning:
    student_id: int
    message: object


def member_warnings(team: Team) -> list[MemberWarning]:
    """Members whose weekdays miss the project's days, or whose hours a week are already taken
    by their other active teams."""
    project = team.project
    current = team.current_memberships
    student_ids = [m.student_id for m in current]
    if not student_ids:
        return []
    # Hours a week each student already gives to other current teams of running projects.
    other_hours = dict(
        db.session.execute(
            select(TeamMembership.student_id, func.sum(Project.hours_per_week))
            .join(Team, Team.id == TeamMembership.team_id)
            .join(Project, Project.id == Team.project_id)
            .where(
                TeamMembership.student_id.in_(student_ids),
                TeamMembership.left_on.is_(None),
                Team.id != team.id,
                Project.status.in_((ProjectStatus.DRAFT, ProjectStatus.ACTIVE)),
                Team.end_date >= team.start_date,
                Team.start_date <= team.end_date,
            )
            .group_by(TeamMembership.student_id)
        ).all()
    )
    warnings = []
    for membership in current:
        profile = membership.student.student_profile
        if profile is None:
            continue
        if not set(profile.available_weekdays) & set(project.weekdays):
            warnings.append(
                MemberWarning(
                    membership.student_id,
                    _l(
                        "%(name)s is niet beschikbaar op de dagen van dit project.",
                        name=membership.student.name,
                    ),
                )
            )
        taken = (other_hours.get(membership.student_id) or 0) + project.hours_per_week
        if taken > profile.hours_per_week:
            warnings.append(
                MemberWarning(
                    membership.student_id,
                    _l(
                        "%(name)s heeft %(hours)s uur per week, maar de teams vragen samen "
                        "%(taken)s uur.",
                        name=membership.student.name,
                        hours=profile.hours_per_week,
                        taken=taken,
                    ),
                )
            )
    return warnings


# --- the project's status --------------------------------------------------------------------


def activate_project(project: Project) -> None:
    """Draft → active, only when the project has a team and every team meets the hard rules
    (level minimums, maximum size); the message names each team and rule that fails."""
    if project.status != ProjectStatus.DRAFT:
        raise WijklabError(_l("Alleen een project in concept kan worden gestart."))
    if not project.teams:
        raise WijklabError(_l("Een project start pas met minstens één team."))
    failures = []
    for team in project.teams:
        for problem in team_problems(team):
            if problem.rule in HARD_RULES:
                failures.append(_l("%(team)s: %(rule)s", team=team.name, rule=describe(problem)))
    if failures:
        raise WijklabError(
            _l(
                "Het project kan nog niet starten. %(failures)s.",
                failures="; ".join(str(f) for f in failures),
            )
        )
    project.status = ProjectStatus.ACTIVE
    db.session.flush()


# --- the pool and the builder ----------------------------------------------------------------


def placed_student_ids() -> select:
    """Students with a current place in a team of a running (draft or active) project."""
    return (
        select(TeamMembership.student_id)
        .join(Team, Team.id == TeamMembership.team_id)
        .join(Project, Project.id == Team.project_id)
        .where(
            TeamMembership.left_on.is_(None),
            Project.status.in_((ProjectStatus.DRAFT, ProjectStatus.ACTIVE)),
        )
    )


def accept_proposal(
    project: Project,
    assignment: list[list[int]],
    *,
    supervisor: User | None,
    today: date,
    name_prefix: str = "Team",
    by: User | None = None,
    names: list[str] | None = None,
    coaches: list[int | None] | None = None,
) -> list[Team]:
    """Save proposed teams: every id is an unplaced, active student, no student twice, and no
    team over the maximum size. The peer coach is each team's most senior possible coach."""
    _check_open(project)
    ids = [i for team in assignment for i in team]
    if len(ids) != len(set(ids)):
        raise WijklabError(_l("Een student staat in meer dan één team."))
    if not ids:
        raise WijklabError(_l("Er zit niemand in de voorgestelde teams."))
    students = {
        u.id: u
        for u in db.session.scalars(
            select(User).where(User.id.in_(ids), User.role == Role.STUDENT, User.is_active)
        ).unique()
        if u.student_profile is not None
    }
    if set(ids) - set(students):
        raise WijklabError(_l("Het voorstel bevat iemand die geen (actieve) student is."))
    already = set(
        db.session.scalars(placed_student_ids().where(TeamMembership.student_id.in_(ids)))
    )
    if already:
        names = ", ".join(sorted(students[i].name for i in already))
        raise Conflict(_l("Deze studenten hebben inmiddels al een team: %(names)s.", names=names))
    for index, members in enumerate(assignment, start=1):
        if len(members) > project.max_size:
            raise WijklabError(
                _l(
                    "Team %(n)s heeft %(have)s leden; het maximum is %(max)s.",
                    n=index,
                    have=len(members),
                    max=project.max_size,
                )
            )
    existing = {t.name.lower() for t in project.teams}
    given = [(n or "").strip() for n in names or []]
    marks = list(coaches or [])
    teams = []
    number = 1
    for index, members in enumerate(assignment):
        if not members:
            continue
        name = given[index] if index < len(given) else ""
        if name and name.lower() in existing:
            raise WijklabError(_l("De teamnaam %(name)s komt al voor in dit project.", name=name))
        while not name:
            if f"{name_prefix} {number}".lower() not in existing:
                name = f"{name_prefix} {number}"
            number += 1
        existing.add(name.lower())
        team = create_team(
            project,
            TeamData(
                name=name,
                supervisor=supervisor,
                start_date=project.start_date,
                end_date=project.end_date,
            ),
        )
        candidates = [candidate(students[i]) for i in members]
        coaches = sorted(
            (c for c in candidates if c.can_coach),
            key=lambda c: (-c.year, c.level != "hbo", c.id),
        )
        coach_id = coaches[0].id if coaches else None
        chosen = marks[index] if index < len(marks) else None
        if chosen in members:
            coach_id = chosen  # the wijkdocent's mark in the proposal
        for student_id in members:
            role = MemberRole.PEER_COACH if student_id == coach_id else MemberRole.MEMBER
            db.session.add(
                TeamMembership(team=team, student=students[student_id], role=role, joined_on=today)
            )
        teams.append(team)
    db.session.flush()
    for team in teams:
        for membership in team.memberships:
            _tell_added(team, membership.student_id, by)
    return teams


def proposal_as_assignment(proposal: Proposal) -> list[list[int]]:
    return [team.member_ids for team in proposal.teams]
