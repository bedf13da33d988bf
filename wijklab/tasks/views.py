from __future__ import annotations

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
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from wijklab.accounts.models import Role, User
from wijklab.clock import today
from wijklab.errors import Conflict, WijklabError
from wijklab.extensions import db
from wijklab.forms import ConfirmForm, show_error
from wijklab.inputs import parse_id, parse_ids, parse_page
from wijklab.tasks import services
from wijklab.tasks import waiting as waiting_work
from wijklab.tasks.forms import (
    CATEGORY_LABELS,
    ROLE_LABELS,
    CorrectionForm,
    ReflectionForm,
    ReturnForm,
    SupervisionForm,
    TaskForm,
    VisitForm,
    parse_duration,
)
from wijklab.tasks.models import (
    Category,
    ParticipationRole,
    Task,
    TaskParticipation,
)
from wijklab.tasks.permissions import (
    can_edit_task,
    can_log_supervision,
    can_log_task,
    can_log_visit,
    can_reflect,
    can_verify_task,
    can_view_student_hours,
    can_view_task,
    verifies_on_behalf,
)
from wijklab.teams.models import Team
from wijklab.teams.permissions import can_view_team

bp = Blueprint("tasks", __name__)


def _typed(team: Team) -> dict:
    """What was typed for each current member, as it came (trimmed to a sane length), so a form
    that fails comes back with every tick, time and role as the student left them."""
    return {
        m.student_id: {
            "take": request.form.get(f"take_{m.student_id}") == "y",
            "minutes": (request.form.get(f"minutes_{m.student_id}") or "").strip()[:20],
            "role": (request.form.get(f"role_{m.student_id}") or "support")[:20],
        }
        for m in team.current_memberships
    }


def _participants_from_form(team: Team) -> list[services.Participant]:
    """The ticked members with their minutes (typed as people say it) and role."""
    chosen = []
    # A ticked box for someone who is not a current member is refused, not silently dropped.
    current = {f"take_{m.student_id}" for m in team.current_memberships}
    ticked = {k for k, v in request.form.items() if k.startswith("take_") and v == "y"}
    if ticked - current:
        raise WijklabError(_("Alleen huidige teamleden kunnen deelnemen."), field="participants")
    for membership in team.current_memberships:
        sid = membership.student_id
        if request.form.get(f"take_{sid}") != "y":
            continue
        raw_minutes = (request.form.get(f"minutes_{sid}") or "").strip()
        raw_role = request.form.get(f"role_{sid}") or ParticipationRole.SUPPORT.value
        if not raw_minutes:
            raise WijklabError(
                _("Vul bij %(name)s de tijd in.", name=membership.student.name),
                field="participants",
            )
        try:
            minutes = parse_duration(raw_minutes)
        except WijklabError as exc:
            raise WijklabError(
                _(
                    "Tijd van %(name)s: %(problem)s",
                    name=membership.student.name,
                    problem=exc.message,
                ),
                field="participants",
            ) from exc
        try:
            role = ParticipationRole(raw_role)
        except ValueError as exc:
            raise WijklabError(_("Kies een geldige rol."), field="participants") from exc
        chosen.append(services.Participant(sid, minutes, role))
    return chosen


def _defaults(team: Team) -> dict:
    """Start with the author and the team's members ticked, the author's minutes as last time."""
    last = db.session.scalar(
        select(TaskParticipation.minutes)
        .join(Task, Task.id == TaskParticipation.task_id)
        .where(TaskParticipation.student_id == current_user.id)
        .order_by(Task.date.desc(), Task.id.desc())
        .limit(1)
    )
    typed = {}
    for membership in team.current_memberships:
        is_author = membership.student_id == current_user.id
        typed[membership.student_id] = {
            "take": True,
            "minutes": str(last) if is_author and last else "",
            "role": (ParticipationRole.LEAD if is_author else ParticipationRole.SUPPORT).value,
        }
    return typed


def _data(form: TaskForm, participants) -> services.TaskData:
    return services.TaskData(
        date=form.date.data,
        title=form.title.data or "",
        category=Category(form.category.data),
        participants=participants,
        description=form.description.data or "",
        residents_reached=form.residents_reached.data or 0,
        partners_involved=form.partners_involved.data or "",
        place=form.place.data or "",
    )


def _render_form(team, form, typed, task=None, status=200):
    return (
        render_template(
            "tasks/form.html",
            team=team,
            form=form,
            typed=typed,
            task=task,
            role_labels=ROLE_LABELS,
            warnings=services.personal_data_warnings(form.description.data or ""),
        ),
        status,
    )


@bp.route("/teams/<int:team_id>/tasks/new", methods=["GET", "POST"])
@login_required
def create(team_id: int):
    team = db.get_or_404(Team, team_id)
    if not can_view_team(current_user, team):
        abort(404)
    if not can_log_task(current_user, team):
        abort(403)
    form = TaskForm()
    if request.method == "GET":
        form.date.data = min(today(), team.end_date)
        return _render_form(team, form, _defaults(team))
    if form.validate_on_submit():
        try:
            participants = _participants_from_form(team)
            task = services.log_task(
                team, _data(form, participants), author=current_user, today=today()
            )
        except WijklabError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Taak opgeslagen; de werkbegeleider controleert de uren."), "success")
            for warning in services.personal_data_warnings(task.description):
                flash(warning, "warning")
            return redirect(url_for("tasks.detail", task_id=task.id))
    return _render_form(team, form, _typed(team), status=422)


def _load_task(task_id: int) -> Task:
    task = db.session.scalar(
        select(Task)
        .where(Task.id == task_id)
        .options(joinedload(Task.team), selectinload(Task.events))
    )
    if task is None or not can_view_task(current_user, task):
        abort(404)
    return task


@bp.route("/tasks/<int:task_id>")
@login_required
def detail(task_id: int):
    task = _load_task(task_id)
    own = next((p for p in task.participations if can_reflect(current_user, p)), None)
    can_verify = can_verify_task(current_user, task)
    return render_template(
        "tasks/detail.html",
        task=task,
        team=task.team,
        category_labels=CATEGORY_LABELS,
        role_labels=ROLE_LABELS,
        can_edit=can_edit_task(current_user, task),
        can_verify=can_verify,
        # The one who checks the task sees the warning too, and can return it for that reason.
        warnings=services.personal_data_warnings(task.description) if can_verify else [],
        return_form=ReturnForm(),
        reflection_form=ReflectionForm(reflection=own.reflection) if own else None,
        own=own,
        history=[(e, services.event_changes(e)) for e in task.events],
        corrections=services.corrections(task),
    )


@bp.route("/tasks/<int:task_id>/edit", methods=["GET", "POST"])
@login_required
def edit(task_id: int):
    task = _load_task(task_id)
    if not can_edit_task(current_user, task):
        abort(403)
    team = task.team
    form = TaskForm(obj=task)
    if request.method == "GET":
        form.category.data = task.category.value
        form.version.data = str(task.version)
        typed = {
            m.student_id: {"take": False, "minutes": "", "role": "support"}
            for m in team.current_memberships
        }
        for p in task.participations:
            typed[p.student_id] = {"take": True, "minutes": str(p.minutes), "role": p.role.value}
        return _render_form(team, form, typed, task)
    status = 422
    if form.validate_on_submit():
        try:
            participants = _participants_from_form(team)
            version = int(form.version.data or 0)
            services.edit_task(
                task, _data(form, participants), by=current_user, version=version, today=today()
            )
            db.session.commit()
        except (WijklabError, ValueError) as error:
            db.session.rollback()
            if isinstance(error, WijklabError):
                show_error(form, error)
                status = 409 if isinstance(error, Conflict) else 422
            else:
                abort(400)
        except StaleDataError:
            # Another save committed between our version check and our UPDATE.
            db.session.rollback()
            form.form_errors.append(
                _("Iemand anders heeft deze taak intussen gewijzigd. Laad de pagina opnieuw.")
            )
            status = 409
        else:
            flash(_("Wijzigingen in de taak opgeslagen."), "success")
            for warning in services.personal_data_warnings(task.description):
                flash(warning, "warning")
            return redirect(url_for("tasks.detail", task_id=task.id))
    return _render_form(team, form, _typed(team), task, status=status)


def _seen_version(name: str = "version") -> int:
    """The task's version the decision was made on, from the page's hidden field (a form
    without one was not made by our page)."""
    version = parse_id(request.form.get(name))
    if version is None:
        abort(400)
    return version


@bp.route("/tasks/<int:task_id>/verify", methods=["POST"])
@login_required
def verify(task_id: int):
    task = _load_task(task_id)
    if not can_verify_task(current_user, task):
        abort(403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    version = _seen_version()
    try:
        services.verify_task(
            task,
            by=current_user,
            on_behalf=verifies_on_behalf(current_user, task),
            version=version,
        )
    except WijklabError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for("tasks.detail", task_id=task.id)), 303
    db.session.commit()
    flash(_("Taak goedgekeurd."), "success")
    return redirect(url_for("tasks.detail", task_id=task.id))


@bp.route("/tasks/<int:task_id>/return", methods=["POST"])
@login_required
def return_(task_id: int):
    task = _load_task(task_id)
    if not can_verify_task(current_user, task):
        abort(403)
    form = ReturnForm()
    if form.validate_on_submit():
        version = _seen_version()
        try:
            services.return_task(task, by=current_user, reason=form.reason.data, version=version)
        except WijklabError as error:
            db.session.rollback()
            flash(str(error.message), "error")
            return redirect(url_for("tasks.detail", task_id=task.id)), 303
        db.session.commit()
        flash(_("Taak teruggegeven aan het team."), "success")
        return redirect(url_for("tasks.detail", task_id=task.id))
    flash(_("Schrijf waarom je de taak teruggeeft."), "error")
    return redirect(url_for("tasks.detail", task_id=task.id)), 303


def _correct(task_id: int, participation_id: int, *, remove: bool):
    """Correct one participant's minutes, or remove them, with a reason (the reviewer only)."""
    task = _load_task(task_id)
    if not can_verify_task(current_user, task):
        abort(403)
    participation = next((p for p in task.participations if p.id == participation_id), None)
    if participation is None:
        abort(404)
    form = CorrectionForm()
    back = redirect(url_for("tasks.detail", task_id=task.id)), 303
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        flash(_("Schrijf waarom je de tijd aanpast."), "error")
        return back
    version = _seen_version()
    name = participation.student.name
    try:
        minutes = None if remove else parse_duration(form.minutes.data)
        services.correct_participation(
            participation,
            by=current_user,
            minutes=minutes,
            reason=form.reason.data,
            version=version,
        )
        db.session.commit()
    except WijklabError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return back
    except StaleDataError:
        db.session.rollback()
        flash(_("Deze taak is intussen gewijzigd; bekijk hem opnieuw."), "error")
        return back
    if remove:
        flash(_("%(name)s is als deelnemer verwijderd.", name=name), "success")
    else:
        flash(_("De tijd van %(name)s is aangepast.", name=name), "success")
    return redirect(url_for("tasks.detail", task_id=task.id))


@bp.route("/tasks/<int:task_id>/participations/<int:participation_id>/minutes", methods=["POST"])
@login_required
def correct_minutes(task_id: int, participation_id: int):
    return _correct(task_id, participation_id, remove=False)


@bp.route("/tasks/<int:task_id>/participations/<int:participation_id>/remove", methods=["POST"])
@login_required
def remove_participant(task_id: int, participation_id: int):
    return _correct(task_id, participation_id, remove=True)


@bp.route("/tasks/participations/<int:participation_id>/reflection", methods=["POST"])
@login_required
def reflection(participation_id: int):
    participation = db.get_or_404(TaskParticipation, participation_id)
    if not can_reflect(current_user, participation):
        abort(403)
    form = ReflectionForm()
    if not form.validate_on_submit():
        flash(_("Een reflectie mag hoogstens 2000 tekens hebben."), "error")
        return redirect(url_for("tasks.detail", task_id=participation.task_id)), 303
    services.set_reflection(participation, form.reflection.data or "")
    db.session.commit()
    flash(_("Reflectie opgeslagen."), "success")
    return redirect(url_for("tasks.detail", task_id=participation.task_id))


def _waiting_query():
    return waiting_work.pending_tasks_query(current_user)


@bp.route("/tasks/waiting")
@login_required
def waiting():
    """Everything waiting on the user, oldest first: pending tasks across all the supervisor's
    teams (a wijkdocent: their projects') and what other features add (goals to review)."""
    viewer = current_user._get_current_object()  # not the proxy: checked once per task
    page = waiting_work.waiting_page(viewer, parse_page(), current_app.config["PER_PAGE"])
    if page is None:
        abort(403)
    return render_template(
        "tasks/waiting.html",
        page=page,
        category_labels=CATEGORY_LABELS,
        can_verify=lambda t: can_verify_task(viewer, t),
        data_warnings=services.personal_data_warnings,
    )


@bp.route("/tasks/verify", methods=["POST"])
@login_required
def verify_many():
    """Verify a selection from the waiting list at once: all of them, or none."""
    query = _waiting_query()
    if query is None:
        abort(403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    ids = parse_ids(request.form.getlist("task_id"))
    if not ids:
        flash(_("Kies minstens één taak om goed te keuren."), "error")
        return redirect(url_for("tasks.waiting")), 303
    # Each ticked task comes with the version the list showed (version_<id>).
    versions = {task_id: _seen_version(f"version_{task_id}") for task_id in ids}
    tasks = (
        db.session.scalars(select(Task).where(Task.id.in_(ids)).order_by(Task.id)).unique().all()
    )
    if len(tasks) != len(ids) or not all(can_verify_task(current_user, t) for t in tasks):
        abort(403)
    try:
        for task in tasks:
            services.verify_task(
                task,
                by=current_user,
                on_behalf=verifies_on_behalf(current_user, task),
                version=versions[task.id],
            )
    except WijklabError as error:
        message = str(error.message)
        if isinstance(error, Conflict):
            message = _(
                "De taak ‘%(title)s’ is intussen gewijzigd; bekijk hem opnieuw. Er is niets "
                "goedgekeurd.",
                title=task.title,
            )
        db.session.rollback()
        flash(message, "error")
        return redirect(url_for("tasks.waiting")), 303
    db.session.commit()
    flash(
        ngettext("%(num)s taak goedgekeurd.", "%(num)s taken goedgekeurd.", len(tasks)), "success"
    )
    return redirect(url_for("tasks.waiting"))


def _team_record(team_id: int, may, form_class, save, done: str, template: str, prepare=None):
    """The shared flow of the supervision and school-visit forms: the team, the permission,
    the form with today's date (``prepare`` fills in the rest), the service, one commit."""
    team = db.get_or_404(Team, team_id)
    if not may(current_user, team):
        abort(403)
    form = form_class()
    if prepare is not None:
        prepare(team, form)
    if request.method == "GET":
        form.date.data = min(today(), team.end_date)
    if form.validate_on_submit():
        try:
            save(team, form)
        except WijklabError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(done, "success")
            return redirect(url_for("teams.detail", team_id=team.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template(template, form=form, team=team), status


def _supervision_students(team: Team, form: SupervisionForm) -> None:
    """The team's current members to tick; on a first visit all are ticked, after a failed
    submit the ticks stay as they were sent."""
    members = sorted(team.current_memberships, key=lambda m: m.student.name)
    form.students.choices = [(m.student_id, m.student.name) for m in members]
    if request.method == "GET":
        form.students.data = [m.student_id for m in members]


@bp.route("/teams/<int:team_id>/supervision", methods=["GET", "POST"])
@login_required
def supervision(team_id: int):
    def save(team, form):
        known = {m.student_id: m.student for m in team.current_memberships}
        students = [known.get(i) or db.session.get(User, i) for i in form.students.data or []]
        if None in students:
            raise WijklabError(
                _("Alleen huidige teamleden kunnen bij de begeleiding staan."), field="students"
            )
        services.log_supervision(
            team,
            supervisor=current_user,
            on=form.date.data,
            minutes=form.minutes.data,
            note=form.note.data or "",
            today=today(),
            students=students,
        )

    return _team_record(
        team_id,
        can_log_supervision,
        SupervisionForm,
        save,
        _("Begeleiding vastgelegd."),
        "tasks/supervision.html",
        prepare=_supervision_students,
    )


@bp.route("/teams/<int:team_id>/visits", methods=["GET", "POST"])
@login_required
def visit(team_id: int):
    def save(team, form):
        services.log_visit(
            team,
            visitor=current_user,
            on=form.date.data,
            present=form.present.data or "",
            note=form.note.data or "",
            today=today(),
        )

    return _team_record(
        team_id, can_log_visit, VisitForm, save, _("Schoolbezoek vastgelegd."), "tasks/visit.html"
    )


@bp.route("/students/<int:user_id>/hours")
@login_required
def student_hours(user_id: int):
    student = db.get_or_404(User, user_id)
    if student.role != Role.STUDENT or student.student_profile is None:
        abort(404)
    if not can_view_student_hours(current_user, student):
        abort(404)
    return render_template(
        "tasks/hours.html", student=student, hours=services.student_hours(student)
    )
