from __future__ import annotations

import dataclasses

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import Integer, distinct, func, literal, or_, select
from sqlalchemy.orm import joinedload, lazyload

from wijklab.accounts.forms import WEEKDAY_LABELS
from wijklab.accounts.models import Level, Role, StudentProfile, SupervisorProfile, User
from wijklab.clock import today
from wijklab.errors import WijklabError
from wijklab.extensions import db
from wijklab.forms import NO_CHOICE, ConfirmForm, choices, show_error
from wijklab.inputs import parse_id, parse_ids, parse_page
from wijklab.organisations.models import Organisation, OrganisationKind
from wijklab.projects.models import Project, ProjectWish
from wijklab.projects.permissions import can_manage_project
from wijklab.reports.services import RUNNING, STUDENTS_PER_SUPERVISION_HOUR
from wijklab.teams import services
from wijklab.teams.builder import (
    BY_HAND,
    UNPLACED_REASONS,
    Proposal,
    ProposedTeam,
    build_teams,
    check_teams,
    choose_coach,
)
from wijklab.teams.forms import (
    ROLE_LABELS,
    AddMemberForm,
    BuilderForm,
    HandoverForm,
    MemberRoleForm,
    TeamForm,
)
from wijklab.teams.models import MemberRole, Team, TeamMembership
from wijklab.teams.permissions import can_manage_team, can_view_team, can_write_handover
from wijklab.teams.rules import Candidate, TeamRules, fit_problem

bp = Blueprint("teams", __name__)
# Tasks, and supervision sessions and school visits, on the team page: ten at a time each.
FEED_PER_PAGE = 10


def _managed_project(project_id: int) -> Project:
    project = db.get_or_404(Project, project_id)
    if not can_manage_project(current_user, project):
        abort(403)
    return project


def _managed_team(team_id: int) -> Team:
    team = db.get_or_404(Team, team_id)
    if not can_manage_team(current_user, team):
        abort(403)
    return team


def _supervisor_choices(project: Project):
    supervisors = db.session.scalars(
        select(User)
        .join(SupervisorProfile, SupervisorProfile.user_id == User.id)
        .where(
            User.role == Role.SUPERVISOR,
            User.is_active.is_(True),
            SupervisorProfile.organisation_id == project.partner_id,
        )
        .order_by(User.name)
    ).unique()
    return [NO_CHOICE] + choices((u.id, u.name) for u in supervisors)


def _team_data(form: TeamForm) -> services.TeamData:
    return services.TeamData(
        name=form.name.data,
        supervisor=db.session.get(User, form.supervisor_id.data),
        start_date=form.start_date.data,
        end_date=form.end_date.data,
    )


@bp.route("/projects/<int:project_id>/teams/new", methods=["GET", "POST"])
@login_required
def create(project_id: int):
    project = _managed_project(project_id)
    form = TeamForm()
    if request.method == "GET":
        form.start_date.data = project.start_date
        form.end_date.data = project.end_date
        form.name.data = _("Team %(n)s", n=len(project.teams) + 1)
    form.supervisor_id.choices = _supervisor_choices(project)
    if form.validate_on_submit():
        try:
            team = services.create_team(project, _team_data(form))
        except WijklabError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Team %(name)s aangemaakt.", name=team.name), "success")
            return redirect(url_for("teams.detail", team_id=team.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("teams/form.html", form=form, project=project, team=None), status


@bp.route("/teams/<int:team_id>/edit", methods=["GET", "POST"])
@login_required
def edit(team_id: int):
    team = _managed_team(team_id)
    form = TeamForm(obj=team)
    form.supervisor_id.choices = _supervisor_choices(team.project)
    if form.validate_on_submit():
        try:
            services.update_team(team, _team_data(form))
        except WijklabError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(_("Team opgeslagen."), "success")
            return redirect(url_for("teams.detail", team_id=team.id))
    status = 422 if form.errors or form.form_errors else 200
    return (
        render_template("teams/form.html", form=form, project=team.project, team=team),
        status,
    )


ADD_LIST_LIMIT = 50
SEARCH_MAX = 100


@dataclasses.dataclass
class MemberPicker:
    """What the add-member form shows besides its fields: the search, the switch to everyone,
    whether the list was cut off, the rules any newcomer breaks, and a pending confirmation."""

    search: str = ""
    show_all: bool = False
    more: bool = False
    notices: list = dataclasses.field(default_factory=list)
    confirm: list = dataclasses.field(default_factory=list)


def _team_rules(team: Team) -> TeamRules:
    """The builder's rules for this team: the partner's, the project's and its supervisor's."""
    return _builder_rules(team.project, team.supervisor_id)


def _student_options(team: Team, rules: TeamRules, picker: MemberPicker) -> list:
    """At most ``ADD_LIST_LIMIT`` students, by name: only those who fit the team, or with
    ``show_all`` everyone, each student who does not fit with the reasons."""
    current = [m.student_id for m in team.current_memberships]
    query = (
        select(User)
        .join(StudentProfile, StudentProfile.user_id == User.id)
        .where(User.role == Role.STUDENT, User.is_active.is_(True))
    )
    if current:
        query = query.where(User.id.not_in(current))
    if team.project.school_id is not None:
        query = query.where(StudentProfile.school_id == team.project.school_id)
    if picker.search:
        pattern = (
            "%" + picker.search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        )
        query = query.where(
            or_(
                User.name.ilike(pattern, escape="\\"),
                User.email.ilike(pattern, escape="\\"),
                StudentProfile.student_number.ilike(pattern, escape="\\"),
            )
        )
    if not picker.show_all:
        # The fit rules in SQL, so the list stays short; ``fit_reasons`` below has the last word.
        if rules.suitable_levels:
            query = query.where(
                StudentProfile.level.in_([Level(level) for level in rules.suitable_levels])
            )
        if rules.suitable_years:
            query = query.where(StudentProfile.study_year.in_(sorted(rules.suitable_years)))
        if rules.weekdays:
            mask = literal(sum(1 << d for d in rules.weekdays), Integer)
            query = query.where(
                StudentProfile.available_weekdays.op("&", return_type=Integer)(mask) != 0
            )
    students = list(
        db.session.scalars(query.order_by(User.name, User.id).limit(ADD_LIST_LIMIT + 1)).unique()
    )
    picker.more = len(students) > ADD_LIST_LIMIT
    partner = team.project.partner.name if team.project.partner else ""
    options = []
    for user in students[:ADD_LIST_LIMIT]:
        profile = user.student_profile
        label = f"{user.name} ({profile.level.value} {profile.study_year})"
        reasons = services.fit_reasons(services.candidate(user), rules, partner)
        if reasons and not picker.show_all:
            continue
        if reasons:
            label += " – " + _("past niet: %(reasons)s", reasons="; ".join(map(str, reasons)))
        options.append((user.id, label))
    return options


def _add_member_form(team: Team, rules: TeamRules, picker: MemberPicker) -> AddMemberForm:
    form = AddMemberForm()
    options = _student_options(team, rules, picker)
    if request.method == "POST":
        # The student may come from an earlier search: keep them a choice, the service checks.
        posted = parse_id(request.form.get("student_id", ""))
        if posted is not None and posted not in {i for i, _label in options}:
            user = db.session.get(User, posted)
            if user is not None:
                options.append((user.id, user.name))
    form.student_id.choices = [NO_CHOICE] + choices(options)
    picker.notices = [message for _code, message in services.team_full_problems(team, rules)]
    return form


def _picker(source) -> MemberPicker:
    return MemberPicker(
        search=(source.get("q") or "").strip()[:SEARCH_MAX],
        show_all=source.get("all") == "1",
    )


@bp.route("/teams/<int:team_id>")
@login_required
def detail(team_id: int):
    # The team, its project and its members in one query: the page shows all three, each
    # member with their level, year and school, the supervisor by name only (each person's
    # profile and organisation joined in would make a long plan for PostgreSQL). The partner
    # gives the add-member form its rules.
    team = db.session.scalar(
        select(Team)
        .where(Team.id == team_id)
        .options(
            joinedload(Team.project).joinedload(Project.partner),
            joinedload(Team.supervisor)
            .load_only(User.id, User.name)
            .options(lazyload(User.student_profile), lazyload(User.supervisor_profile)),
            joinedload(Team.memberships)
            .joinedload(TeamMembership.student)
            .options(
                joinedload(User.student_profile).joinedload(StudentProfile.school),
                lazyload(User.supervisor_profile),
            ),
        )
    )
    if team is None:
        abort(404)
    if not can_view_team(current_user, team):
        abort(404)
    manage = can_manage_team(current_user, team)
    picker = _picker(request.args)
    add_form = None
    if manage and team.project.is_open:
        add_form = _add_member_form(team, _team_rules(team), picker)
    return _team_page(team, add_form, picker=picker)


def _team_page(
    team: Team,
    add_form: AddMemberForm | None,
    status: int = 200,
    picker: MemberPicker | None = None,
):
    # The page shows the team's goals and work, which sit to the right of teams.
    from wijklab.goals.permissions import can_view_goal
    from wijklab.goals.services import team_goals
    from wijklab.tasks.services import team_feed, team_timeline

    viewer = current_user._get_current_object()  # not the proxy: checked once per goal
    return (
        render_template(
            "teams/detail.html",
            team=team,
            project=team.project,
            problems=services.team_problems(team),
            warnings=services.member_warnings(team),
            describe=services.describe,
            manage=can_manage_team(current_user, team),
            add_form=add_form,
            picker=picker or MemberPicker(),
            add_list_limit=ADD_LIST_LIMIT,
            role_labels=ROLE_LABELS,
            can_handover=can_write_handover(current_user, team),
            agreements=_agreement_states(team),
            goals=[g for g in team_goals(team) if can_view_goal(viewer, g)],
            feed=team_feed(
                team,
                FEED_PER_PAGE,
                before=request.args.get("before"),
                after=request.args.get("after"),
                skip=(parse_page() - 1) * FEED_PER_PAGE,
            ),
            timeline=team_timeline(
                team,
                FEED_PER_PAGE,
                before=request.args.get("timeline_before"),
                after=request.args.get("timeline_after"),
            ),
        ),
        status,
    )


# Agreements sit to the right of teams: their parties are named here, their tables by name.
AGREEMENT_PARTIES = {
    "student": _l("student"),
    "supervisor": _l("werkbegeleider"),
    "wijkdocent": _l("wijkdocent"),
}
AGREEMENT_GRACE_DAYS = 14


def _agreement_states(team: Team) -> dict[int, dict]:
    """Per current member, where their start agreement stands: ``missing``, ``waiting`` (with
    the parties still to accept the current version) or ``accepted`` (with when); ``overdue``
    when not accepted more than two weeks after joining. One query."""
    agreement = db.metadata.tables["start_agreement"]
    acceptance = db.metadata.tables["agreement_acceptance"]
    rows = db.session.execute(
        select(agreement.c.student_id, agreement.c.accepted_at, acceptance.c.party)
        .outerjoin(
            acceptance,
            (acceptance.c.agreement_id == agreement.c.id)
            & (acceptance.c.version == agreement.c.version),
        )
        .where(agreement.c.team_id == team.id)
    ).all()
    found: dict[int, dict] = {}
    for student_id, accepted_at, party in rows:
        entry = found.setdefault(student_id, {"accepted_at": accepted_at, "parties": set()})
        if party:
            entry["parties"].add(party)
    states = {}
    for membership in team.current_memberships:
        entry = found.get(membership.student_id)
        accepted_at = entry["accepted_at"] if entry else None
        if entry is None:
            state, waiting = "missing", list(AGREEMENT_PARTIES)
        elif accepted_at is not None:
            state, waiting = "accepted", []
        else:
            state = "waiting"
            waiting = [p for p in AGREEMENT_PARTIES if p not in entry["parties"]]
        states[membership.student_id] = {
            "state": state,
            "waiting": [AGREEMENT_PARTIES[p] for p in waiting],
            "accepted_at": accepted_at,
            "overdue": accepted_at is None
            and (today() - membership.joined_on).days > AGREEMENT_GRACE_DAYS,
        }
    return states


@bp.route("/teams/<int:team_id>/members", methods=["POST"])
@login_required
def add_member(team_id: int):
    """Add a student; one who breaks a hard rule first gets a confirm step naming the rules,
    and joins on a second POST with ``confirm=1``."""
    team = _managed_team(team_id)
    rules = _team_rules(team)
    picker = _picker(request.form)
    form = _add_member_form(team, rules, picker)
    if form.validate_on_submit():
        student = db.session.get(User, form.student_id.data)
        try:
            services.add_member(
                team,
                student,
                role=MemberRole(form.role.data),
                today=today(),
                by=current_user,
                rules=rules,
                confirmed=request.form.get("confirm") == "1",
            )
        except services.NeedsConfirmation as pending:
            db.session.rollback()
            picker.confirm = [message for _code, message in pending.problems]
        except WijklabError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(
                _(
                    "%(name)s is toegevoegd aan %(team)s.",
                    name=student.name,
                    team=team.name,
                ),
                "success",
            )
            return redirect(url_for("teams.detail", team_id=team.id))
    db.session.expire_all()
    return _team_page(db.session.get(Team, team_id), form, 422, picker=picker)


def _membership(team_id: int, membership_id: int) -> TeamMembership:
    team = _managed_team(team_id)
    membership = db.get_or_404(TeamMembership, membership_id)
    if membership.team_id != team.id:
        abort(404)
    return membership


@bp.route("/teams/<int:team_id>/members/<int:membership_id>/remove", methods=["POST"])
@login_required
def remove_member(team_id: int, membership_id: int):
    membership = _membership(team_id, membership_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.remove_member(membership, today=today())
    except WijklabError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for("teams.detail", team_id=team_id)), 303
    db.session.commit()
    flash(
        _(
            "%(name)s is uit het team gehaald; het gelogde werk blijft bewaard.",
            name=membership.student.name,
        ),
        "success",
    )
    return redirect(url_for("teams.detail", team_id=team_id))


@bp.route("/teams/<int:team_id>/members/<int:membership_id>/role", methods=["POST"])
@login_required
def set_role(team_id: int, membership_id: int):
    membership = _membership(team_id, membership_id)
    form = MemberRoleForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.set_member_role(membership, MemberRole(form.role.data))
    except WijklabError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for("teams.detail", team_id=team_id)), 303
    db.session.commit()
    flash(_("Rol van %(name)s gewijzigd.", name=membership.student.name), "success")
    return redirect(url_for("teams.detail", team_id=team_id))


@bp.route("/teams/<int:team_id>/handover", methods=["GET", "POST"])
@login_required
def handover(team_id: int):
    team = db.get_or_404(Team, team_id)
    if not can_view_team(current_user, team):
        abort(404)
    if not can_write_handover(current_user, team):
        abort(403)
    form = HandoverForm(note=team.handover_note)
    if form.validate_on_submit():
        try:
            services.write_handover(team, form.note.data, by=current_user)
        except WijklabError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(
                _("Overdracht opgeslagen: het volgende team leest hem op de projectpagina."),
                "success",
            )
            return redirect(url_for("projects.detail", project_id=team.project_id))
    status = 422 if form.errors else 200
    return render_template("teams/handover.html", form=form, team=team), status


@bp.route("/projects/<int:project_id>/activate", methods=["POST"])
@login_required
def activate_project(project_id: int):
    project = _managed_project(project_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.activate_project(project)
    except WijklabError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for("projects.detail", project_id=project.id)), 303
    db.session.commit()
    flash(_("Project gestart."), "success")
    return redirect(url_for("projects.detail", project_id=project.id))


# --- team builder ----------------------------------------------------------------------------


def _builder_form(project: Project, formdata=None) -> BuilderForm:
    form = BuilderForm(formdata=formdata)
    schools = db.session.scalars(
        select(Organisation)
        .where(Organisation.kind == OrganisationKind.SCHOOL)
        .order_by(Organisation.name)
    ).all()
    form.school_id.choices = [NO_CHOICE] + choices((o.id, o.name) for o in schools)
    form.supervisor_id.choices = _supervisor_choices(project)
    return form


def _pool(form: BuilderForm) -> list[User]:
    """Unplaced active students matching the builder's filters."""
    query = (
        select(User)
        .join(StudentProfile, StudentProfile.user_id == User.id)
        .where(
            User.role == Role.STUDENT,
            User.is_active.is_(True),
            User.id.not_in(services.placed_student_ids()),
        )
        .order_by(User.name, User.id)
    )
    if form.school_id.data:
        query = query.where(StudentProfile.school_id == form.school_id.data)
    if form.level.data:
        query = query.where(StudentProfile.level == Level(form.level.data))
    if form.year.data:
        query = query.where(StudentProfile.study_year == int(form.year.data))
    if form.weekday.data:
        bit = literal(1 << int(form.weekday.data), Integer)
        query = query.where(
            StudentProfile.available_weekdays.op("&", return_type=Integer)(bit) != 0
        )
    return list(db.session.scalars(query).unique())


def _supervisor_room(supervisor_id: int | None) -> int | None:
    """Students the supervisor can still take on, counted as the placements page counts: two
    per declared supervision hour a week, less the current members of all their running teams."""
    if not supervisor_id:
        return None
    # Both figures in one query (the team page runs this on every view).
    hours, load = db.session.execute(
        select(
            select(SupervisorProfile.supervision_hours_per_week)
            .where(SupervisorProfile.user_id == supervisor_id)
            .scalar_subquery(),
            select(func.count(distinct(TeamMembership.student_id)))
            .join(Team, Team.id == TeamMembership.team_id)
            .join(Project, Project.id == Team.project_id)
            .where(
                Team.supervisor_id == supervisor_id,
                TeamMembership.left_on.is_(None),
                Project.status.in_(RUNNING),
            )
            .scalar_subquery(),
        )
    ).one()
    return (hours or 0) * STUDENTS_PER_SUPERVISION_HOUR - (load or 0)


def _builder_rules(project: Project, supervisor_id: int | None) -> TeamRules:
    """The project's rules with the partner's levels and years and the supervisor's room."""
    partner = project.partner
    return dataclasses.replace(
        services.project_rules(project),
        suitable_levels=frozenset(partner.suitable_levels or ()) if partner else frozenset(),
        suitable_years=frozenset(partner.suitable_years or ()) if partner else frozenset(),
        supervisor_room=_supervisor_room(supervisor_id),
    )


def _candidates(project: Project, students: list[User]) -> list[Candidate]:
    """The students as the builder sees them, with their wish for this project (one query)."""
    ids = [u.id for u in students]
    wishes = dict(
        db.session.execute(
            select(ProjectWish.student_id, ProjectWish.rank).where(
                ProjectWish.project_id == project.id, ProjectWish.student_id.in_(ids)
            )
        ).all()
    )
    return [
        dataclasses.replace(
            services.candidate(u),
            wish_rank=wishes.get(u.id),
            wants_peer_coach=bool(u.student_profile.wants_peer_coach),
        )
        for u in students
    ]


def _default_team_names(project: Project, count: int) -> list[str]:
    """ "Dinsdagteam Schilderswijk" by the project's first weekday and neighbourhood, numbered
    from the second on, unique within the project."""
    days = dict(WEEKDAY_LABELS)
    place = project.neighbourhood.name if project.neighbourhood else project.title
    if project.weekdays:
        day = str(days[min(project.weekdays)])
        base = _("%(day)steam %(neighbourhood)s", day=day.capitalize(), neighbourhood=place)
    else:
        base = _("Team %(neighbourhood)s", neighbourhood=place)
    taken = {t.name.lower() for t in project.teams}
    names: list[str] = []
    number = 1
    while len(names) < count:
        name = base if number == 1 else f"{base} {number}"
        number += 1
        if name.lower() not in taken:
            taken.add(name.lower())
            names.append(name)
    return names


def _builder_page(project, form, proposal, students, status=200, names=None):
    wish_counts = proposal.wish_counts() if proposal else None
    schools = {
        u.student_profile.school_id: u.student_profile.school.name
        for u in students
        if u.student_profile.school is not None
    }
    return render_template(
        "teams/builder.html",
        project=project,
        form=form,
        pool=students,
        proposal=proposal,
        people={u.id: u for u in students},
        schools=schools,
        weekday_labels=dict(WEEKDAY_LABELS),
        names=names or (_default_team_names(project, len(proposal.teams)) if proposal else []),
        wish_counts=wish_counts,
        describe=services.describe,
        confirm=ConfirmForm(),
    ), status


@bp.route("/projects/<int:project_id>/builder")
@login_required
def builder(project_id: int):
    project = _managed_project(project_id)
    form = _builder_form(project, formdata=request.args or None)
    proposal = None
    pool = []
    if request.args and form.validate():
        pool = _pool(form)
        if request.args.get("propose"):
            proposal = build_teams(
                _candidates(project, pool),
                _builder_rules(project, form.supervisor_id.data),
                team_count=form.team_count.data,
                team_size=form.team_size.data,
                seed=form.seed.data or 0,
            )
    return _builder_page(project, form, proposal, pool, 200 if not form.errors else 422)


@bp.route("/projects/<int:project_id>/builder", methods=["POST"])
@login_required
def adjust(project_id: int):
    """Re-check a proposal after students were moved between teams, or accept it."""
    project = _managed_project(project_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    form = _builder_form(project, formdata=request.form)
    form_is_valid = form.validate()
    # The proposal travels in hidden fields; anything but ids and team numbers is forged.
    team_count = parse_id(request.form.get("teams", ""))
    ids = parse_ids((i for i in request.form.get("students", "").split(",") if i), limit=5000)
    if team_count is None or team_count > 100 or ids is None:
        abort(400)
    assignment: list[list[int]] = [[] for _ in range(team_count)]
    for student_id in ids:
        raw = request.form.get(f"team_{student_id}", "0")
        number = 0 if raw == "0" else parse_id(raw)
        if number is None or number > team_count:
            abort(400)
        if number:
            assignment[number - 1].append(student_id)
    students = {
        u.id: u
        for u in db.session.scalars(
            select(User).where(User.id.in_(ids), User.role == Role.STUDENT)
        ).unique()
        if u.student_profile is not None
    }
    candidates = {c.id: c for c in _candidates(project, list(students.values()))}
    rules = _builder_rules(project, form.supervisor_id.data if form_is_valid else None)
    proposed = []
    for number, members in enumerate(assignment, start=1):
        team = ProposedTeam(members=[candidates[i] for i in members if i in candidates])
        # Keep the wijkdocent's peer-coach mark while the student stays in this team.
        mark = parse_id(request.form.get(f"coach_{number}", ""))
        if mark in team.member_ids and candidates[mark].can_coach:
            team.peer_coach = mark
        else:
            choose_coach(team)
        proposed.append(team)
    check_teams(proposed, rules)
    proposal = Proposal(
        teams=proposed,
        unplaced=[
            (
                i,
                _unplaced_reason(candidates.get(i), request.form.get(f"reason_{i}"), rules),
            )
            for i in ids
            if not any(i in team for team in assignment)
        ],
    )
    names = [request.form.get(f"name_{n}", "").strip() for n in range(1, team_count + 1)]
    status = 200
    if request.form.get("action") == "accept" and not form_is_valid:
        status = 422
    elif request.form.get("action") == "accept" and proposal.blocking:
        flash(
            _(
                "Dit voorstel breekt een regel die niet gebroken mag worden (zie de teams). "
                "Verplaats studenten en controleer opnieuw."
            ),
            "error",
        )
        status = 422
    elif request.form.get("action") == "accept":
        supervisor = (
            db.session.get(User, form.supervisor_id.data) if form.supervisor_id.data else None
        )
        try:
            teams = services.accept_proposal(
                project,
                assignment,
                supervisor=supervisor,
                today=today(),
                by=current_user,
                names=names,
                coaches=[t.peer_coach for t in proposed],
            )
        except WijklabError as error:
            db.session.rollback()
            flash(str(error.message), "error")
            status = 422
        else:
            db.session.commit()
            flash(
                _(
                    "%(n)s teams aangemaakt. Controleer de peercoaches en start het project als "
                    "alles klopt.",
                    n=len(teams),
                ),
                "success",
            )
            return redirect(url_for("projects.detail", project_id=project.id))
    return _builder_page(project, form, proposal, list(students.values()), status, names=names)


def _unplaced_reason(student: Candidate | None, before: str | None, rules: TeamRules) -> str:
    """Why a student is left out now: a rule they break; else the reason they were left out
    with; else (they were in a team) taken out by the wijkdocent."""
    if student is not None and (reason := fit_problem(student, rules)):
        return reason
    if before in UNPLACED_REASONS and before != BY_HAND:
        return before
    return BY_HAND
