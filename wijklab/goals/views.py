from __future__ import annotations

import math

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, lazyload, selectinload

from wijklab.accounts.models import Role, User
from wijklab.activity.models import AuditEvent
from wijklab.activity.services import record
from wijklab.database import ListPage
from wijklab.errors import Conflict, NotAllowed, WijklabError
from wijklab.extensions import db
from wijklab.forms import ConfirmForm, choices, show_error
from wijklab.goals import coverage, services
from wijklab.goals.forms import (
    ACTION_LABELS,
    CONCERN_LABELS,
    RATING_LABELS,
    STATUS_LABELS,
    EvidenceForm,
    FeedbackForm,
    GoalForm,
    TransitionForm,
)
from wijklab.goals.loader import FrameworkFileError, load_framework, parse_framework
from wijklab.goals.models import (
    Feedback,
    FrameworkItem,
    GoalEvidence,
    GoalStatus,
    LearningGoal,
    SignOff,
)
from wijklab.goals.permissions import (
    can_comment,
    can_edit_goal,
    can_rate,
    can_return_or_reopen,
    can_sign_off,
    can_view_goal,
    is_peer_coach,
)
from wijklab.inputs import parse_id, parse_ids, parse_page
from wijklab.projects.models import Project
from wijklab.tasks.models import Task, TaskParticipation
from wijklab.tasks.services import by_name
from wijklab.tasks.waiting import team_and_project
from wijklab.teams.models import Team, TeamMembership
from wijklab.teams.permissions import can_manage_team, can_view_team

bp = Blueprint("goals", __name__)


def _own_framework(student) -> str:
    return coverage.framework_of(student)


def _active_items(student) -> list[FrameworkItem]:
    own = _own_framework(student)
    return list(
        db.session.scalars(
            select(FrameworkItem)
            .where(FrameworkItem.is_active.is_(True))
            .order_by(
                FrameworkItem.framework != own, FrameworkItem.framework, FrameworkItem.position
            )
        )
    )


def _item_choices(student) -> list:
    """Active framework items; the student's own level's framework first."""
    return choices((i.id, f"{i.code} {i.title}") for i in _active_items(student))


def _item_groups(student, form: GoalForm, query: str) -> list[dict]:
    """The framework items grouped by framework, then by core task (or competence) with the items
    under it; the student's own framework first and open. With a ``query`` only the items whose
    code or title contains it are listed (a ticked item always stays, so it is sent again)."""
    own = _own_framework(student)
    selected = {i for i in (form.framework_items.data or []) if isinstance(i, int)}
    needle = query.strip().casefold()
    items = _active_items(student)
    by_id = {i.id: i for i in items}

    def matches(item: FrameworkItem) -> bool:
        return not needle or needle in f"{item.code} {item.title}".casefold()

    frameworks: dict[str, dict] = {}
    for item in items:
        fw = frameworks.setdefault(
            item.framework,
            {
                "code": item.framework,
                "name": coverage.FRAMEWORK_NAMES.get(item.framework, item.framework),
                "own": item.framework == own,
                "groups": {},
            },
        )
        head_id = item.parent_id if item.parent_id in by_id else item.id
        group = fw["groups"].setdefault(head_id, {"head": by_id[head_id], "items": []})
        if head_id != item.id:
            group["items"].append(item)
    result = []
    for fw in frameworks.values():
        groups = []
        for group in fw["groups"].values():
            head = group["head"]
            head_hit = matches(head)
            shown = [i for i in group["items"] if head_hit or matches(i) or i.id in selected]
            if head_hit or shown or head.id in selected:
                groups.append({"head": head, "items": shown})
        fw["groups"] = groups
        fw["count"] = sum(1 + len(g["items"]) for g in groups)
        fw["selected"] = sum(
            (g["head"].id in selected) + sum(i.id in selected for i in g["items"]) for g in groups
        )
        fw["open"] = fw["own"] or fw["selected"] > 0 or (bool(needle) and bool(groups))
        result.append(fw)
    return result


def _form_page(form: GoalForm, student, team, goal, status: int, **extra):
    """The goal form; "Zoeken" in the item list re-shows the page with what was typed."""
    show_all = request.form.get("find_items") == "all"
    query = "" if show_all else (request.values.get("items_q") or "").strip()[:100]
    return render_template(
        "goals/form.html",
        form=form,
        team=team,
        goal=goal,
        item_groups=_item_groups(student, form, query),
        items_query=query,
        selected_items={i for i in (form.framework_items.data or []) if isinstance(i, int)},
        **extra,
    ), status


def _searching() -> bool:
    """The item search was pressed: nothing is saved, the page comes back as typed."""
    return request.method == "POST" and "find_items" in request.form


def _data(form: GoalForm) -> services.GoalData:
    return services.GoalData(
        title=form.title.data or "",
        description=form.description.data or "",
        success_criteria=form.success_criteria.data or "",
        target_date=form.target_date.data,
        framework_item_ids=list(form.framework_items.data or []),
    )


@bp.route("/teams/<int:team_id>/goals/new", methods=["GET", "POST"])
@login_required
def create(team_id: int):
    team = db.get_or_404(Team, team_id)
    if not any(m.student_id == current_user.id and m.left_on is None for m in team.memberships):
        abort(403)
    if not team.project.is_open:
        abort(403)
    form = GoalForm()
    form.framework_items.choices = _item_choices(current_user)
    if _searching():
        return _form_page(form, current_user, team, None, 200)
    if form.validate_on_submit():
        try:
            goal = services.create_goal(team, current_user, _data(form), by=current_user)
        except WijklabError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Leerdoel opgeslagen als concept."), "success")
            return _back_to(goal)
    status = 422 if form.errors or form.form_errors else 200
    return _form_page(form, current_user, team, None, status)


def _back_to(goal: LearningGoal, status: int = 302):
    """Back to the goal page; 303 after a refused action, whose message is flashed."""
    return redirect(url_for("goals.detail", goal_id=goal.id), status)


def _load(goal_id: int, *options) -> LearningGoal:
    goal = db.session.scalar(
        select(LearningGoal)
        .where(LearningGoal.id == goal_id)
        .options(
            joinedload(LearningGoal.team).joinedload(Team.project),
            # The page shows every piece of evidence with its task, all feedback and sign-offs.
            selectinload(LearningGoal.evidence)
            .joinedload(GoalEvidence.participation)
            .joinedload(TaskParticipation.task),
            selectinload(LearningGoal.feedback),
            selectinload(LearningGoal.sign_offs),
            *options,
        )
    )
    if goal is None or not can_view_goal(current_user, goal):
        abort(404)
    return goal


@bp.route("/goals/<int:goal_id>/edit", methods=["GET", "POST"])
@login_required
def edit(goal_id: int):
    goal = _load(goal_id)
    if not can_edit_goal(current_user, goal):
        abort(403)
    form = GoalForm(obj=goal)
    form.framework_items.choices = _item_choices(goal.student)
    if request.method == "GET":
        form.framework_items.data = [i.id for i in goal.framework_items]
        form.version.data = str(goal.version)
    status = 200
    if _searching():
        return _form_page(form, goal.student, goal.team, goal, 200)
    if form.validate_on_submit():
        try:
            version = int(form.version.data or 0)
            services.update_goal(goal, _data(form), by=current_user, version=version)
        except (WijklabError, ValueError) as error:
            db.session.rollback()
            if not isinstance(error, WijklabError):
                abort(400)
            show_error(form, error)
            status = 409 if isinstance(error, Conflict) else 422
        else:
            db.session.commit()
            flash(_("Wijzigingen in het leerdoel opgeslagen."), "success")
            return _back_to(goal)
    elif form.errors:
        status = 422
    return _form_page(form, goal.student, goal.team, goal, status)


def _evidence_form(goal: LearningGoal) -> EvidenceForm | None:
    if current_user.id != goal.student_id or goal.status == GoalStatus.SIGNED_OFF:
        return None
    linked = {e.participation_id for e in goal.evidence}
    rows = db.session.execute(
        select(TaskParticipation.id, Task.date, Task.title)
        .join(Task, Task.id == TaskParticipation.task_id)
        .where(TaskParticipation.student_id == goal.student_id, Task.team_id == goal.team_id)
        .order_by(Task.date.desc())
    ).all()
    form = EvidenceForm()
    form.participation_id.choices = choices(
        (pid, f"{day.strftime('%d-%m-%Y')} {title}")
        for pid, day, title in rows
        if pid not in linked
    )
    return form


@bp.route("/goals/<int:goal_id>")
@login_required
def detail(goal_id: int):
    # People by name only (no profile, school or organisation joined in): the student, the
    # authors of feedback, sign-offs and events. Of the team its members' ids and roles (the peer
    # coaches); of the evidence its tasks' title, date and status.
    goal = _load(
        goal_id,
        by_name(joinedload(LearningGoal.student)),
        joinedload(LearningGoal.team).lazyload(Team.supervisor),
        joinedload(LearningGoal.team)
        .selectinload(Team.memberships)
        .lazyload(TeamMembership.student),
        selectinload(LearningGoal.evidence)
        .joinedload(GoalEvidence.participation)
        .lazyload(TaskParticipation.student),
        selectinload(LearningGoal.evidence)
        .joinedload(GoalEvidence.participation)
        .joinedload(TaskParticipation.task)
        .options(lazyload(Task.author), lazyload(Task.verified_by), lazyload(Task.participations)),
        by_name(selectinload(LearningGoal.feedback).joinedload(Feedback.author)),
        by_name(selectinload(LearningGoal.sign_offs).joinedload(SignOff.signed_by)),
        by_name(selectinload(LearningGoal.sign_offs).joinedload(SignOff.revoked_by)),
    )
    timeline = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.object_type == "LearningGoal", AuditEvent.object_id == goal.id)
        .options(by_name(joinedload(AuditEvent.actor)))
        .order_by(AuditEvent.at, AuditEvent.id)
    ).all()
    feedback_form = FeedbackForm() if can_comment(current_user, goal) else None
    if feedback_form is not None and (
        not can_rate(current_user, goal) or goal.status == GoalStatus.SIGNED_OFF
    ):
        del feedback_form.rating
    if feedback_form is not None and current_user.id == goal.student_id:
        feedback_form.comment.label.text = _("Je reactie")
    return render_template(
        "goals/detail.html",
        goal=goal,
        timeline=timeline,
        status_labels=STATUS_LABELS,
        action_labels=ACTION_LABELS,
        rating_labels=dict(RATING_LABELS),
        verified=services.verified_evidence(goal),
        summary=services.review_summary(goal),
        concern_labels=CONCERN_LABELS,
        evidence_form=_evidence_form(goal),
        feedback_form=feedback_form,
        transition_form=TransitionForm(version=str(goal.version)),
        actions=_actions(goal),
        may_ask_peer_coach=_may_ask_peer_coach(goal),
        peer_feedback_waiting=services.peer_feedback_waiting(goal),
        peer_feedback_first=goal.team.project.peer_feedback_first,
        has_peer_feedback=services.has_peer_feedback(goal),
        has_peer_coach=bool(services.peer_coach_ids(goal)),
        viewer_is_peer_coach=is_peer_coach(current_user, goal),
    )


# Who may make each move: the student moves their own goal forward; the supervisor signs off;
# the supervisor or wijkdocent returns a goal or reopens a sign-off.
ACTION_PERMISSIONS = {
    "activate": can_edit_goal,
    "request_review": can_edit_goal,
    "sign_off": can_sign_off,
    "return": can_return_or_reopen,
    "reopen": can_return_or_reopen,
}


def _actions(goal: LearningGoal) -> list[str]:
    """The moves this user may make on this goal now."""
    return [
        action
        for action, (source, _target) in services.TRANSITIONS.items()
        if goal.status == source
        and ACTION_PERMISSIONS[action](current_user, goal)
        and (action != "request_review" or services.may_request_review(goal))
    ]


def _may_ask_peer_coach(goal: LearningGoal) -> bool:
    """The student may ask the team's peer coach for feedback on an active goal now."""
    return (
        can_edit_goal(current_user, goal)
        and goal.status == GoalStatus.ACTIVE
        and goal.team.project.is_open
        and bool(services.peer_coach_ids(goal))
        and not services.peer_feedback_waiting(goal)
    )


@bp.route("/goals/<int:goal_id>/ask-peer-coach", methods=["POST"])
@login_required
def request_peer_feedback(goal_id: int):
    """The student asks the team's peer coach(es) for feedback before asking for a review."""
    goal = _load(goal_id)
    if not can_edit_goal(current_user, goal):
        abort(403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.request_peer_feedback(goal, by=current_user)
    except NotAllowed:
        raise
    except WijklabError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return _back_to(goal, 303)
    db.session.commit()
    flash(_("Je peercoach is om feedback gevraagd."), "success")
    return _back_to(goal)


@bp.route("/goals/<int:goal_id>/transition", methods=["POST"])
@login_required
def transition(goal_id: int):
    goal = _load(goal_id)
    form = TransitionForm()
    if not form.validate_on_submit():
        abort(400)
    action = form.action.data or ""
    if action not in _actions(goal):
        abort(403)
    # The version the page showed: the move is made on the goal as the user saw it.
    version = parse_id(form.version.data)
    if version is None:
        abort(400)
    try:
        services.transition(
            goal,
            action,
            by=current_user,
            version=version,
            statement=form.statement.data or "",
            reason=form.reason.data or "",
            confirmed=bool(form.confirm.data),
            confirm_reason=form.confirm_reason.data or "",
        )
    except WijklabError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return _back_to(goal, 303)
    db.session.commit()
    done = {
        "activate": _("Leerdoel gestart."),
        "request_review": _("Beoordeling aangevraagd. Je werkbegeleider krijgt een melding."),
        "return": _("Leerdoel teruggegeven aan de student."),
        "sign_off": _("Leerdoel afgetekend."),
        "reopen": _("Aftekening ingetrokken; het leerdoel loopt weer."),
    }
    flash(done.get(action, _("Leerdoel bijgewerkt.")), "success")
    return _back_to(goal)


@bp.route("/goals/<int:goal_id>/evidence", methods=["POST"])
@login_required
def add_evidence(goal_id: int):
    goal = _load(goal_id)
    form = _evidence_form(goal)
    if form is None:
        abort(403)
    if not form.validate_on_submit():
        flash(_("Kies een taak om te koppelen."), "error")
        return _back_to(goal, 303)
    participation = db.get_or_404(TaskParticipation, form.participation_id.data)
    try:
        services.add_evidence(goal, participation, by=current_user, note=form.note.data or "")
    except NotAllowed:
        raise  # a forged request for something this user may not do: the 403 page
    except WijklabError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return _back_to(goal, 303)
    db.session.commit()
    flash(_("Bewijs gekoppeld."), "success")
    return _back_to(goal)


@bp.route("/goals/<int:goal_id>/feedback", methods=["POST"])
@login_required
def feedback(goal_id: int):
    goal = _load(goal_id)
    if not can_comment(current_user, goal):
        abort(403)
    form = FeedbackForm()
    if not form.validate_on_submit():
        flash(_("Schrijf je feedback (hoogstens 4000 tekens)."), "error")
        return _back_to(goal, 303)
    rating = int(form.rating.data) if form.rating.data else None
    try:
        services.add_feedback(
            goal,
            by=current_user,
            comment=form.comment.data,
            rating=rating,
            may_rate=can_rate(current_user, goal),
            author_role="peer_coach" if is_peer_coach(current_user, goal) else None,
        )
    except NotAllowed:
        raise  # a rating forged by someone who may only comment: the 403 page
    except WijklabError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return _back_to(goal, 303)
    db.session.commit()
    flash(_("Feedback toegevoegd."), "success")
    return _back_to(goal)


@bp.route("/goals/")
@login_required
def index():
    """The goals this user works on: a student's own, a supervisor's teams' and a wijkdocent's
    projects' goals; ?status= filters (``review_requested`` is what waits on a supervisor)."""
    # Joined only to what scopes the list: every join is planned for each of the goals.
    query = select(LearningGoal.id, LearningGoal.updated_at)
    if current_user.role == Role.STUDENT:
        query = query.where(LearningGoal.student_id == current_user.id)
    elif current_user.role == Role.SUPERVISOR:
        query = query.join(Team, Team.id == LearningGoal.team_id).where(
            Team.supervisor_id == current_user.id
        )
    elif current_user.role == Role.WIJKDOCENT:
        query = query.join(Team, Team.id == LearningGoal.team_id).where(
            Team.project_id.in_(select(Project.id).where(Project.owner_id == current_user.id))
        )
    status = request.args.get("status") or ""
    if status in {s.value for s in GoalStatus}:
        query = query.where(LearningGoal.status == GoalStatus(status))
    page = _goal_page(query, current_app.config["PER_PAGE"])
    return render_template(
        "goals/index.html",
        page=page,
        status=status,
        status_labels=STATUS_LABELS,
        summaries=services.review_summaries([g.id for g in page.items]),
        rating_labels=dict(RATING_LABELS),
        concern_labels=CONCERN_LABELS,
    )


def _goal_page(scoped, per_page: int) -> ListPage:
    """Page ?page= of the goals ``scoped`` selects (their id and updated_at), newest first, in
    one query: the page's goals are chosen among the ids alone, the total riding along as a
    window count, and only those goals are joined to their student, team and project (joined
    first, every goal of a wijkdocent's projects would be). A page past the end shows the last
    one (then counted apart, and read again)."""

    def read(number: int) -> list:
        chosen = (
            scoped.add_columns(func.count().over().label("total"))
            .order_by(LearningGoal.updated_at.desc(), LearningGoal.id.desc())
            .limit(per_page)
            .offset((number - 1) * per_page)
            .subquery()
        )
        return db.session.execute(
            select(LearningGoal, chosen.c.total)
            .join(chosen, chosen.c.id == LearningGoal.id)
            .options(
                # Each row shows the goal, its student by name and its team with the project:
                # not the team's supervisor and members, nor the student's profile and school
                # (every person joined brings their profile and organisation into PostgreSQL's
                # plan). The latest rating and the evidence approved are counted in SQL
                # (review_summaries).
                team_and_project(joinedload(LearningGoal.team)),
                by_name(joinedload(LearningGoal.student)),
                lazyload(LearningGoal.framework_items),
            )
            .order_by(chosen.c.updated_at.desc(), chosen.c.id.desc())
        ).all()

    number = parse_page()
    rows = read(number)
    if rows:
        total = rows[0].total
    else:
        total = db.session.scalar(select(func.count()).select_from(scoped.subquery()))
        last = max(1, math.ceil(total / per_page))
        if total and number > last:
            number, rows = last, read(last)
    return ListPage([row[0] for row in rows], number, per_page, total)


@bp.route("/goals/sign-off", methods=["POST"])
@login_required
def sign_off_many():
    """Sign off several goals in review at once, with one statement: all of them, or none."""
    if current_user.role != Role.SUPERVISOR:
        abort(403)  # only supervisors sign off
    form = TransitionForm()
    if not form.validate_on_submit():
        abort(400)
    ids = parse_ids(request.form.getlist("goal_id"), limit=200)
    if not ids:
        flash(_("Kies minstens één leerdoel om af te tekenen."), "error")
        return redirect(url_for("goals.index", status="review_requested")), 303
    # Each ticked goal comes with the version the list showed (version_<id>).
    versions = {goal_id: parse_id(request.form.get(f"version_{goal_id}")) for goal_id in ids}
    if None in versions.values():
        abort(400)
    # In id order, so two bulk sign-offs lock their goals in the same order.
    goals = db.session.scalars(
        select(LearningGoal).where(LearningGoal.id.in_(ids)).order_by(LearningGoal.id)
    ).all()
    if len(goals) != len(ids) or not all(can_sign_off(current_user, g) for g in goals):
        abort(403)
    # A goal that changed since the list was shown is refused first: look at it again.
    changed = next((g for g in goals if g.version != versions[g.id]), None)
    if changed is not None:
        flash(
            _(
                "Het leerdoel ‘%(title)s’ is intussen gewijzigd; bekijk het opnieuw. Er is niets "
                "afgetekend.",
                title=changed.title,
            ),
            "error",
        )
        return redirect(url_for("goals.index", status="review_requested")), 303
    # A goal that needs an explicit confirmation is signed off on its own page, never in bulk.
    needs_confirmation = [g for g in goals if services.review_summary(g).concerns]
    if needs_confirmation:
        flash(
            _(
                "‘%(title)s’ heeft bewijs dat nog wacht op controle of een lage laatste "
                "beoordeling: teken dit leerdoel apart af, op de pagina van het leerdoel. Er is "
                "niets afgetekend.",
                title=needs_confirmation[0].title,
            ),
            "error",
        )
        return redirect(url_for("goals.index", status="review_requested")), 303
    try:
        for goal in goals:
            services.transition(
                goal,
                "sign_off",
                by=current_user,
                version=versions[goal.id],
                statement=form.statement.data or "",
            )
    except WijklabError as error:
        message = str(error.message)
        if isinstance(error, Conflict):
            message = _(
                "Het leerdoel ‘%(title)s’ is intussen gewijzigd; bekijk het opnieuw. Er is niets "
                "afgetekend.",
                title=goal.title,
            )
        db.session.rollback()
        flash(message, "error")
        return redirect(url_for("goals.index", status="review_requested")), 303
    db.session.commit()
    flash(_("Leerdoelen afgetekend."), "success")
    return redirect(url_for("goals.index", status="review_requested"))


@bp.route("/teams/<int:team_id>/goals/for-everyone", methods=["GET", "POST"])
@login_required
def create_for_team(team_id: int):
    """The wijkdocent gives every current member of a team the same goal (a template)."""
    team = db.get_or_404(Team, team_id)
    if not can_manage_team(current_user, team) or not team.project.is_open:
        abort(403)
    form = GoalForm()
    members = [m.student for m in team.current_memberships]
    if not members:
        abort(404)
    form.framework_items.choices = _item_choices(members[0])
    if _searching():
        return _form_page(form, members[0], team, None, 200, for_team=True)
    if form.validate_on_submit():
        try:
            for student in members:
                services.create_goal(team, student, _data(form), by=current_user)
        except WijklabError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(
                _("Leerdoel toegevoegd voor %(n)s studenten, als concept.", n=len(members)),
                "success",
            )
            return redirect(url_for("teams.detail", team_id=team.id))
    status = 422 if form.errors or form.form_errors else 200
    return _form_page(form, members[0], team, None, status, for_team=True)


class FrameworkUploadForm(FlaskForm):
    file = FileField(_l("Kaderbestand (TOML)"), validators=[FileRequired(_l("Kies een bestand."))])


@bp.route("/frameworks", methods=["GET", "POST"])
@login_required
def frameworks():
    """Admins see the loaded frameworks and add or update one from a TOML file; a malformed
    file is refused whole, with its line and reason."""
    if current_user.role != Role.ADMIN:
        abort(403)
    form = FrameworkUploadForm()
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        raw = upload.read(1024 * 1024 + 1)
        try:
            if len(raw) > 1024 * 1024:
                raise WijklabError(_("Een kaderbestand is hoogstens 1 MB."), field="file")
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise WijklabError(_("Het bestand is geen UTF-8-tekst."), field="file") from exc
            parsed = parse_framework(text, upload.filename or "upload.toml")
            result = load_framework(parsed)
            record(
                current_user,
                "framework.uploaded",
                object_type="Framework",
                object_id=0,
                framework=parsed.code,
                created=result.created,
                updated=result.updated,
                unchanged=result.unchanged,
                deactivated=result.deactivated,
            )
        except (FrameworkFileError, WijklabError) as error:
            db.session.rollback()
            if error.field is None:
                error.field = "file"
            show_error(form, error)
            status = 422
        else:
            db.session.commit()
            flash(
                _(
                    "Kader geladen: %(created)s nieuw, %(updated)s bijgewerkt, "
                    "%(unchanged)s ongewijzigd.",
                    created=result.created,
                    updated=result.updated,
                    unchanged=result.unchanged,
                ),
                "success",
            )
            return redirect(url_for("goals.frameworks"))
    elif form.errors:
        status = 422
    counts = db.session.execute(
        select(FrameworkItem.framework, func.count(FrameworkItem.id))
        .where(FrameworkItem.is_active.is_(True))
        .group_by(FrameworkItem.framework)
        .order_by(FrameworkItem.framework)
    ).all()
    return render_template("goals/frameworks.html", form=form, counts=counts), status


# The coverage links sit on pages of other features (the team page, goal pages): the same
# predicates that guard the views below decide whether a link shows.
bp.add_app_template_global(coverage.can_view_team_coverage)
bp.add_app_template_global(coverage.can_view_goal_student_coverage)


@bp.route("/students/<int:student_id>/coverage")
@login_required
def student_coverage(student_id: int):
    """A student's framework items with the goals that address them, their status, latest
    rating and evidence; a supervisor sees only the goals of the teams they supervise."""
    student = db.get_or_404(User, student_id)
    if student.role != Role.STUDENT or not coverage.can_view_student_coverage(
        current_user, student
    ):
        abort(404)
    return render_template(
        "goals/coverage_student.html",
        coverage=coverage.student_coverage(student, current_user),
        status_labels=STATUS_LABELS,
        rating_labels=dict(RATING_LABELS),
        kind_labels=coverage.KIND_LABELS,
        framework_names=coverage.FRAMEWORK_NAMES,
    )


@bp.route("/teams/<int:team_id>/coverage")
@login_required
def team_coverage(team_id: int):
    """Who in the team covers which framework items: a matrix per framework of the members."""
    team = db.session.scalar(
        select(Team).where(Team.id == team_id).options(joinedload(Team.project))
    )
    if team is None or not can_view_team(current_user, team):
        abort(404)
    if not coverage.can_view_team_coverage(current_user, team):
        abort(403)
    return render_template(
        "goals/coverage_team.html",
        team=team,
        coverage=coverage.team_coverage(team),
        status_labels=STATUS_LABELS,
        kind_labels=coverage.KIND_LABELS,
    )
