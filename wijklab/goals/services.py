"""Learning-goal rules: the status machine draft → active → review requested → signed off (a
review can go back to active, a sign-off can be reopened with a reason and stays visible as
revoked), evidence from the student's own participations, append-only feedback, a sign-off
only with verified evidence, an optimistic lock, and an audit event for every change."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select, update
from sqlalchemy.orm import joinedload, lazyload, selectinload

from wijklab.accounts.models import Role
from wijklab.accounts.tokens import Purpose, issue_token
from wijklab.activity.models import Delivery
from wijklab.activity.services import (
    notify,
    public_url,
    record,
    register_actions,
    register_kind,
    register_object_link,
)
from wijklab.clock import utcnow
from wijklab.database import touch
from wijklab.errors import Conflict, NotAllowed, WijklabError
from wijklab.extensions import db
from wijklab.goals.forms import ACTION_LABELS
from wijklab.goals.models import (
    COMMENT_MAX,
    GOAL_TITLE_MAX,
    STATEMENT_MAX,
    TEXT_MAX,
    Feedback,
    FrameworkItem,
    GoalEvidence,
    GoalStatus,
    LearningGoal,
    Rating,
    SignOff,
)
from wijklab.projects.models import Project, ProjectStatus
from wijklab.tasks.models import Category, Task, TaskParticipation, TaskStatus
from wijklab.tasks.services import by_name
from wijklab.teams.models import MemberRole, Team, TeamMembership

# The author_role of a peer coach's feedback (a peer coach is a student with a role in the team).
PEER_COACH_ROLE = "peer_coach"

# action → (the status it starts from, the status it leads to)
TRANSITIONS = {
    "activate": (GoalStatus.DRAFT, GoalStatus.ACTIVE),
    "request_review": (GoalStatus.ACTIVE, GoalStatus.REVIEW_REQUESTED),
    "return": (GoalStatus.REVIEW_REQUESTED, GoalStatus.ACTIVE),
    "sign_off": (GoalStatus.REVIEW_REQUESTED, GoalStatus.SIGNED_OFF),
    "reopen": (GoalStatus.SIGNED_OFF, GoalStatus.ACTIVE),
}


def audit(actor, action: str, obj, **details) -> None:
    record(actor, action, obj, **details)


def _notify(user_id: int | None, kind: str, goal: LearningGoal, **params) -> None:
    """Tell one user about ``goal``; the supervisor asked to review also gets a one-click link
    in the mail (made only when a mail goes out at once)."""
    action_url = None
    if kind == "review_requested" and user_id is not None and user_id == goal.team.supervisor_id:

        def action_url() -> str:
            token = issue_token(
                user_id,
                Purpose.REVIEW,
                object_type="LearningGoal",
                object_id=goal.id,
                version=goal.version,
            )
            return public_url(f"/r/{token}")

    notify(user_id, kind, f"/goals/{goal.id}", action_url=action_url, title=goal.title, **params)


# Who hears about a move: the supervisor about a review request, the student about the rest.
NOTIFY_ON = {
    "request_review": "review_requested",
    "return": "goal_returned",
    "sign_off": "goal_signed_off",
    "reopen": "goal_reopened",
}


@dataclass
class GoalData:
    title: str
    description: str = ""
    success_criteria: str = ""
    target_date: date | None = None
    framework_item_ids: list[int] = field(default_factory=list)


def _check_version(goal: LearningGoal, version: int | None) -> None:
    if version is not None and version != goal.version:
        raise Conflict(
            _l("Iemand anders heeft dit leerdoel intussen gewijzigd. Laad de pagina opnieuw.")
        )


CHANGED_MEANWHILE = _l("Dit leerdoel is intussen gewijzigd; bekijk het opnieuw.")


def _lock(goal: LearningGoal) -> tuple[GoalStatus, int]:
    """Take the goal's row for this transaction and return its status and version as they are
    committed now, not as this request read them: a no-op UPDATE holds the row lock on
    PostgreSQL (a concurrent sign-off or rating waits for our commit, and we for theirs) and the
    write lock on SQLite (writes are serialised). The version does not change."""
    table = LearningGoal.__table__
    db.session.flush()  # what this request changed so far is compared, not overwritten
    with db.session.no_autoflush:
        row = db.session.execute(
            update(table)
            .where(table.c.id == goal.id)
            .values(updated_at=table.c.updated_at)
            .returning(table.c.status, table.c.version)
        ).one_or_none()
    if row is None:
        raise Conflict(CHANGED_MEANWHILE)
    return GoalStatus(row[0]), row[1]


def _check_open(team: Team) -> None:
    if not team.project.is_open:
        raise NotAllowed(_l("Dit project is afgerond: leerdoelen kunnen niet meer veranderen."))


def _items(ids: list[int]) -> list[FrameworkItem]:
    wanted = set(ids)
    items = list(
        db.session.scalars(
            select(FrameworkItem).where(
                FrameworkItem.id.in_(wanted), FrameworkItem.is_active.is_(True)
            )
        )
    )
    if len(items) != len(wanted):
        raise WijklabError(
            _l("Kies onderdelen uit het kwalificatiekader."), field="framework_items"
        )
    return items


def _check_data(data: GoalData) -> None:
    if not data.title.strip():
        raise WijklabError(_l("Vul een titel in."), field="title")
    if len(data.title) > GOAL_TITLE_MAX:
        raise WijklabError(_l("Een titel mag hoogstens 200 tekens hebben."), field="title")
    if len(data.description) > TEXT_MAX or len(data.success_criteria) > TEXT_MAX:
        raise WijklabError(_l("Deze tekst is te lang."), field="description")


def create_goal(team: Team, student, data: GoalData, *, by) -> LearningGoal:
    """A draft goal for a current member of an open team's project."""
    _check_open(team)
    if not any(m.student_id == student.id and m.left_on is None for m in team.memberships):
        raise WijklabError(_l("Leerdoelen horen bij een student in het team."), field="student")
    _check_data(data)
    goal = LearningGoal(
        student=student,
        team=team,
        title=data.title.strip(),
        description=data.description.strip(),
        success_criteria=data.success_criteria.strip(),
        target_date=data.target_date,
        status=GoalStatus.DRAFT,
    )
    goal.framework_items = _items(data.framework_item_ids)
    db.session.add(goal)
    db.session.flush()
    audit(by, "goal.created", goal, title=goal.title)
    return goal


def update_goal(goal: LearningGoal, data: GoalData, *, by, version: int | None) -> None:
    """Change a goal in draft or active; the change is refused when it is based on an older
    version of the goal."""
    _check_version(goal, version)
    _check_open(goal.team)
    if goal.status not in (GoalStatus.DRAFT, GoalStatus.ACTIVE):
        raise NotAllowed(_l("Een leerdoel in beoordeling of afgetekend kan niet worden gewijzigd."))
    _check_data(data)
    # Look the items up before changing the goal: the query would otherwise autoflush the new
    # fields, and one edit would raise the version twice.
    items = _items(data.framework_item_ids)
    goal.title = data.title.strip()
    goal.description = data.description.strip()
    goal.success_criteria = data.success_criteria.strip()
    goal.target_date = data.target_date
    goal.framework_items = items
    touch(goal)  # the version goes up even when only the items changed
    db.session.flush()
    audit(by, "goal.updated", goal, title=goal.title)


def verified_evidence(goal: LearningGoal) -> list[GoalEvidence]:
    return [e for e in goal.evidence if e.participation.task.status == TaskStatus.VERIFIED]


# Signing off below this rating (or with evidence still pending) needs an explicit confirmation.
CONFIRM_BELOW = Rating.VISIBLE_WITH_GUIDANCE


@dataclass
class ReviewSummary:
    """What a reviewer decides on: the latest rating, the evidence and what needs confirming."""

    latest_rating: int | None
    evidence_total: int
    evidence_pending: int
    concerns: list[str]


def review_summary(goal: LearningGoal) -> ReviewSummary:
    """The latest rating and the evidence status of ``goal``; ``concerns`` names what makes a
    sign-off need an explicit confirmation ("evidence_pending", "low_rating")."""
    latest = next((f.rating for f in reversed(goal.feedback) if f.rating is not None), None)
    total = len(goal.evidence)
    return _review_summary(latest, total, total - len(verified_evidence(goal)))


def review_summaries(goal_ids: list[int]) -> dict[int, ReviewSummary]:
    """``review_summary`` of each goal of a list, counted in SQL in one query, however many
    goals: no evidence, task or feedback rows are loaded."""
    if not goal_ids:
        return {}
    evidence = (
        select(
            GoalEvidence.goal_id,
            func.count().label("total"),
            func.sum(case((Task.status == TaskStatus.VERIFIED, 0), else_=1)).label("pending"),
        )
        .join(TaskParticipation, TaskParticipation.id == GoalEvidence.participation_id)
        .join(Task, Task.id == TaskParticipation.task_id)
        .where(GoalEvidence.goal_id.in_(goal_ids))
        .group_by(GoalEvidence.goal_id)
        .subquery()
    )
    latest = (
        select(Feedback.rating)
        .where(Feedback.goal_id == LearningGoal.id, Feedback.rating.is_not(None))
        .order_by(Feedback.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(LearningGoal.id, latest, evidence.c.total, evidence.c.pending)
        .outerjoin(evidence, evidence.c.goal_id == LearningGoal.id)
        .where(LearningGoal.id.in_(goal_ids))
    )
    return {
        goal_id: _review_summary(rating, total or 0, pending or 0)
        for goal_id, rating, total, pending in rows
    }


def _review_summary(latest: int | None, total: int, pending: int) -> ReviewSummary:
    concerns = []
    if pending:
        concerns.append("evidence_pending")
    if latest is not None and latest < CONFIRM_BELOW:
        concerns.append("low_rating")
    return ReviewSummary(latest, total, pending, concerns)


def transition(
    goal: LearningGoal,
    action: str,
    *,
    by,
    version: int | None = None,
    statement: str = "",
    reason: str = "",
    confirmed: bool = False,
    confirm_reason: str = "",
) -> None:
    """Move the goal along the status machine, on the ``version`` the user saw (None: the goal
    as loaded); every other move is refused, and so is a move on a goal that changed since."""
    if version is not None and version != goal.version:
        raise Conflict(CHANGED_MEANWHILE)
    # Checked again on the locked row: a sign-off, rating or edit that committed after this
    # request read the goal makes this move wait for it and then refuses it.
    if _lock(goal) != (goal.status, goal.version):
        raise Conflict(CHANGED_MEANWHILE)
    _check_open(goal.team)
    if action not in TRANSITIONS:
        raise WijklabError(_l("Onbekende actie."))
    source, target = TRANSITIONS[action]
    if goal.status != source:
        raise WijklabError(_l("Dit leerdoel kan deze stap nu niet zetten."))
    details: dict = {"from": source.value, "to": target.value}
    if action == "request_review" and not may_request_review(goal):
        raise WijklabError(
            _l(
                "In dit project vraag je eerst je peercoach om feedback, daarna pas een "
                "beoordeling."
            )
        )
    if action == "sign_off":
        if by.id == goal.student_id:
            raise NotAllowed(_l("Je kunt je eigen leerdoel niet aftekenen."))
        if not verified_evidence(goal):
            raise WijklabError(
                _l("Aftekenen kan pas met minstens één goedgekeurde taak als bewijs.")
            )
        statement = statement.strip()
        if not statement or len(statement) > STATEMENT_MAX:
            raise WijklabError(
                _l("Schrijf een korte verklaring bij het aftekenen (hoogstens 2000 tekens)."),
                field="statement",
            )
        concerns = review_summary(goal).concerns
        if concerns:
            confirm_reason = confirm_reason.strip()
            if not confirmed or not confirm_reason or len(confirm_reason) > COMMENT_MAX:
                raise WijklabError(
                    _l(
                        "Dit leerdoel heeft bewijs dat nog wacht op controle of een lage laatste "
                        "beoordeling. Bevestig dat je toch aftekent en schrijf waarom. Er is "
                        "niets afgetekend."
                    ),
                    field="confirm_reason",
                )
            details["confirmed_concerns"] = concerns
            details["confirm_reason"] = confirm_reason
        goal.sign_offs.append(SignOff(signed_by=by, statement=statement, signed_at=utcnow()))
        details["statement"] = statement
    if action in ("return", "reopen"):
        reason = reason.strip()
        if not reason or len(reason) > COMMENT_MAX:
            raise WijklabError(_l("Schrijf waarom (hoogstens 4000 tekens)."), field="reason")
        details["reason"] = reason
    if action == "reopen":
        current = next((s for s in reversed(goal.sign_offs) if s.revoked_at is None), None)
        if current is not None:
            current.revoked_by = by
            current.revoked_at = utcnow()
            current.revoke_reason = reason
    if action == "return":
        goal.feedback.append(
            Feedback(author=by, author_role=by.role.value, comment=reason, created_at=utcnow())
        )
    goal.status = target
    goal.updated_at = utcnow()
    db.session.flush()
    audit(by, f"goal.{action}", goal, **details)
    if action in NOTIFY_ON:
        recipient = goal.team.supervisor_id if action == "request_review" else goal.student_id
        if recipient != by.id:
            _notify(recipient, NOTIFY_ON[action], goal, by=by.name)


def peer_coach_ids(goal: LearningGoal) -> list[int]:
    """The team's current peer coaches, other than the goal's own student."""
    return [
        m.student_id
        for m in goal.team.memberships
        if m.role == MemberRole.PEER_COACH and m.left_on is None and m.student_id != goal.student_id
    ]


def has_peer_feedback(goal: LearningGoal) -> bool:
    """A peer coach commented on the goal."""
    return any(f.author_role == PEER_COACH_ROLE for f in goal.feedback)


def peer_feedback_waiting(goal: LearningGoal) -> bool:
    """The student asked for peer feedback and no peer coach has commented since."""
    asked = goal.peer_feedback_requested_at
    if asked is None or goal.status == GoalStatus.SIGNED_OFF:
        return False
    return not any(
        f.author_role == PEER_COACH_ROLE and f.created_at >= asked for f in goal.feedback
    )


def may_request_review(goal: LearningGoal) -> bool:
    """A project that wants peer feedback first lets a goal into review only after a peer
    coach's comment."""
    return not goal.team.project.peer_feedback_first or has_peer_feedback(goal)


def request_peer_feedback(goal: LearningGoal, *, by) -> None:
    """The student asks the team's peer coach(es) for feedback on an active goal."""
    if by.id != goal.student_id:
        raise NotAllowed(_l("Alleen de student vraagt feedback op het eigen leerdoel."))
    _check_open(goal.team)
    if goal.status != GoalStatus.ACTIVE:
        raise WijklabError(_l("Vraag feedback op een actief leerdoel."))
    coaches = peer_coach_ids(goal)
    if not coaches:
        raise WijklabError(_l("Je team heeft geen peercoach."))
    if peer_feedback_waiting(goal):
        raise WijklabError(_l("Je hebt je peercoach al om feedback gevraagd."))
    goal.peer_feedback_requested_at = utcnow()
    db.session.flush()
    audit(by, "goal.request_peer_feedback", goal)
    for coach_id in coaches:
        _notify(coach_id, "peer_feedback_requested", goal, by=by.name)


def add_evidence(goal: LearningGoal, participation: TaskParticipation, *, by, note: str = ""):
    """Link one of the student's own participations in the goal's team."""
    if by.id != goal.student_id or participation.student_id != goal.student_id:
        raise NotAllowed(_l("Alleen je eigen deelname kan bewijs zijn voor je eigen leerdoel."))
    if participation.task.team_id != goal.team_id:
        raise WijklabError(_l("Kies een taak van dit team."), field="participation")
    _check_open(goal.team)
    if goal.status == GoalStatus.SIGNED_OFF:
        raise WijklabError(_l("Een afgetekend leerdoel krijgt geen nieuw bewijs."))
    if any(e.participation_id == participation.id for e in goal.evidence):
        raise Conflict(_l("Deze taak is al gekoppeld."), field="participation")
    if len(note) > COMMENT_MAX:
        raise WijklabError(_l("Deze tekst is te lang."), field="note")
    evidence = GoalEvidence(participation=participation, note=note.strip(), created_at=utcnow())
    goal.evidence.append(evidence)
    # New evidence changes what a reviewer decides on: a sign-off of the goal as it was is refused.
    touch(goal)
    db.session.flush()
    audit(by, "goal.evidence_added", goal, participation=participation.id)
    return evidence


def add_feedback(
    goal: LearningGoal,
    *,
    by,
    comment: str,
    rating: int | None,
    may_rate: bool,
    author_role: str | None = None,
):
    """Append feedback; only supervisors and wijkdocenten rate, and a signed-off goal takes
    comments only. ``author_role`` is the role at that moment (a peer coach is a student)."""
    comment = (comment or "").strip()
    if not comment:
        raise WijklabError(_l("Schrijf je feedback."), field="comment")
    if len(comment) > COMMENT_MAX:
        raise WijklabError(_l("Feedback mag hoogstens 4000 tekens hebben."), field="comment")
    if rating is not None:
        if not may_rate:
            raise NotAllowed(_l("Alleen de werkbegeleider en de wijkdocent geven een beoordeling."))
        if rating not in {r.value for r in Rating}:
            raise WijklabError(_l("Kies een beoordeling van 1 tot en met 5."), field="rating")
        # The status as committed now, on the locked row: a sign-off that landed after this
        # request read the goal closes it for ratings (and a sign-off after us waits for us).
        status, _version = _lock(goal)
        if status == GoalStatus.SIGNED_OFF or goal.status == GoalStatus.SIGNED_OFF:
            raise WijklabError(
                _l("Op een afgetekend leerdoel kun je alleen nog een opmerking geven."),
                field="rating",
            )
    entry = Feedback(
        author=by,
        author_role=author_role or by.role.value,
        rating=rating,
        comment=comment,
        created_at=utcnow(),
    )
    goal.feedback.append(entry)
    db.session.flush()
    audit(by, "goal.feedback", goal, rating=rating)
    recipient = goal.student_id if by.id != goal.student_id else goal.team.supervisor_id
    _notify(recipient, "feedback", goal, by=by.name)
    return entry


register_actions({action: label for action, label in ACTION_LABELS.items()})
register_object_link("LearningGoal", "goals.detail", "goal_id")
# The admin's audit trail lists every feature's events together: there a label names its object
# (the goal page keeps the short labels of ACTION_LABELS).
register_actions(
    {
        "goal.created": _l("Leerdoel aangemaakt"),
        "goal.updated": _l("Leerdoel gewijzigd"),
        "goal.activate": _l("Leerdoel geactiveerd"),
        "goal.request_review": _l("Beoordeling van leerdoel aangevraagd"),
        "goal.return": _l("Leerdoel teruggezet naar actief"),
        "goal.sign_off": _l("Leerdoel afgetekend"),
        "goal.reopen": _l("Leerdoel heropend, aftekening ingetrokken"),
        "goal.evidence_added": _l("Bewijs aan leerdoel gekoppeld"),
        "goal.feedback": _l("Feedback op leerdoel gegeven"),
        "goal.request_peer_feedback": _l("Feedback van de peercoach op leerdoel gevraagd"),
        "framework.uploaded": _l("Kwalificatiekader geladen"),
    }
)
# A framework has no page of its own: its events link to the frameworks page.
register_object_link("Framework", "goals.frameworks", "")

STUDENT = {Role.STUDENT}
register_kind(
    "review_requested",
    _l("%(by)s vraagt je het leerdoel ‘%(title)s’ te beoordelen."),
    label=_l("Een leerdoel wacht op je beoordeling"),
    roles={Role.SUPERVISOR},
    defaults={Role.SUPERVISOR: Delivery.IMMEDIATE},
)
register_kind(
    "goal_returned",
    _l("%(by)s zette je leerdoel ‘%(title)s’ terug naar actief."),
    label=_l("Je leerdoel is teruggezet"),
    roles=STUDENT,
    defaults={Role.STUDENT: Delivery.IMMEDIATE},
)
register_kind(
    "goal_signed_off",
    _l("%(by)s tekende je leerdoel ‘%(title)s’ af."),
    label=_l("Je leerdoel is afgetekend"),
    roles=STUDENT,
)
register_kind(
    "goal_reopened",
    _l("%(by)s heropende je leerdoel ‘%(title)s’."),
    label=_l("Je leerdoel is heropend"),
    roles=STUDENT,
)
register_kind(
    "peer_feedback_requested",
    _l("%(by)s vraagt je als peercoach om feedback op ‘%(title)s’."),
    label=_l("Een teamgenoot vraagt je om feedback"),
    roles=STUDENT,
    defaults={Role.STUDENT: Delivery.IMMEDIATE},
)
register_kind(
    "feedback",
    _l("%(by)s gaf feedback op ‘%(title)s’."),
    label=_l("Feedback op een leerdoel"),
    roles={Role.STUDENT, Role.SUPERVISOR},
    defaults={Role.STUDENT: Delivery.IMMEDIATE},
)


def coaching_overview(user) -> list[dict]:
    """For a peer coach: per team where they are a current peer coach (of an open project), the
    coachees (the other current members) and the goals waiting for peer feedback, oldest first."""
    teams = list(
        db.session.scalars(
            select(Team)
            .join(TeamMembership, TeamMembership.team_id == Team.id)
            .join(Project, Project.id == Team.project_id)
            .where(
                TeamMembership.student_id == user.id,
                TeamMembership.left_on.is_(None),
                TeamMembership.role == MemberRole.PEER_COACH,
                Project.status.in_((ProjectStatus.DRAFT, ProjectStatus.ACTIVE)),
            )
            .options(selectinload(Team.memberships))
            .order_by(Team.name, Team.id)
        )
    )
    if not teams:
        return []
    asked = db.session.scalars(
        select(LearningGoal)
        .where(
            LearningGoal.team_id.in_([t.id for t in teams]),
            LearningGoal.student_id != user.id,
            LearningGoal.status == GoalStatus.ACTIVE,
            LearningGoal.peer_feedback_requested_at.is_not(None),
        )
        .options(selectinload(LearningGoal.feedback))
        .order_by(LearningGoal.peer_feedback_requested_at, LearningGoal.id)
    ).all()
    waiting = [g for g in asked if peer_feedback_waiting(g)]
    return [
        {
            "team": team,
            "coachees": [
                m.student for m in team.memberships if m.left_on is None and m.student_id != user.id
            ],
            "waiting": [g for g in waiting if g.team_id == team.id],
        }
        for team in teams
    ]


def peer_coaching_summary(project: Project) -> list[dict]:
    """Per team of ``project``: the minutes logged as peer coaching, approved and waiting (a
    returned task does not count); only teams with peer coaching time, in team order."""
    rows = db.session.execute(
        select(Task.team_id, Task.status, func.sum(TaskParticipation.minutes))
        .join(TaskParticipation, TaskParticipation.task_id == Task.id)
        .join(Team, Team.id == Task.team_id)
        .where(
            Team.project_id == project.id,
            Task.category == Category.PEER_COACHING,
            Task.status != TaskStatus.RETURNED,
        )
        .group_by(Task.team_id, Task.status)
    ).all()
    minutes: dict[int, dict[str, int]] = {}
    for team_id, status, total in rows:
        entry = minutes.setdefault(team_id, {"verified": 0, "pending": 0})
        entry["verified" if status == TaskStatus.VERIFIED else "pending"] += int(total or 0)
    return [{"team": team, **minutes[team.id]} for team in project.teams if team.id in minutes]


def team_goals(team: Team) -> list[LearningGoal]:
    """The team's goals, by student (their framework items only when asked for)."""
    return list(
        db.session.scalars(
            select(LearningGoal)
            .where(LearningGoal.team_id == team.id)
            .options(
                lazyload(LearningGoal.framework_items),
                by_name(joinedload(LearningGoal.student)),
            )
            .order_by(LearningGoal.student_id, LearningGoal.id)
        )
    )
