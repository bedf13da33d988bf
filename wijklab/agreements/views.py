from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from wijklab.accounts.models import Role, User
from wijklab.agreements import services
from wijklab.agreements.forms import PARTY_LABELS, AcceptForm, AgreementForm
from wijklab.agreements.models import Party, StartAgreement
from wijklab.agreements.pdf import agreement_pdf
from wijklab.agreements.permissions import (
    can_accept_agreement,
    can_edit_agreement,
    can_list_agreements,
    can_read_agreement,
    parties_of,
)
from wijklab.clock import today, utcnow
from wijklab.database import paginate
from wijklab.errors import Conflict, NotAllowed, WijklabError
from wijklab.extensions import db
from wijklab.forms import show_error
from wijklab.inputs import parse_id
from wijklab.teams.models import Team

bp = Blueprint("agreements", __name__)
# The team page (teams may not import this package) links to an agreement only for its readers.
bp.add_app_template_global(can_read_agreement, "can_read_agreement")


def _load(team_id: int, student_id: int) -> tuple[Team, User, StartAgreement | None]:
    team = db.get_or_404(Team, team_id)
    student = db.get_or_404(User, student_id)
    # Nobody, not even an admin, has an agreement of a student who was never in the team.
    if team.membership_of(student) is None:
        abort(404)
    if not can_read_agreement(current_user, team, student):
        abort(404 if current_user.role in (Role.STUDENT, Role.SUPERVISOR) else 403)
    return team, student, services.find_agreement(team, student)


def _detail_url(team: Team, student: User, **args) -> str:
    return url_for("agreements.detail", team_id=team.id, student_id=student.id, **args)


def _data(form: AgreementForm) -> services.AgreementData:
    return services.AgreementData(
        weekdays=frozenset(form.weekdays.data or ()),
        hours_per_week=form.hours_per_week.data,
        agreed_bpv_hours=form.agreed_bpv_hours.data,
        learning_focuses=form.learning_focuses.data or "",
        supervision_form=form.supervision_form.data or "",
        supervision_frequency=form.supervision_frequency.data or "",
        backup_contact=form.backup_contact.data or "",
    )


def _form(team: Team, student: User, agreement: StartAgreement | None) -> AgreementForm:
    """The agreement form: prefilled from the agreement, or for a new one from the brief and
    the student's profile; on a POST it holds what was typed."""
    source = agreement or services.proposal(team, student)
    form = AgreementForm(obj=source)
    if request.method == "GET":
        form.weekdays.data = sorted(source.weekdays)
        form.version.data = str(agreement.version) if agreement is not None else ""
    return form


@bp.route("/teams/<int:team_id>/students/<int:student_id>/agreement", methods=["GET", "POST"])
@login_required
def detail(team_id: int, student_id: int):
    """The start agreement: the brief, the student's part, who accepted what and when, and what
    changed since the last acceptance; or the form to draw it (prefilled) or change it."""
    team, student, agreement = _load(team_id, student_id)
    may_edit = can_edit_agreement(current_user, team, student)
    editing = request.method == "POST" or agreement is None or request.args.get("edit") == "1"
    if request.method == "POST" and not may_edit:
        abort(403)
    form = _form(team, student, agreement) if may_edit and editing else None
    status = 200
    if form is not None and form.validate_on_submit():
        try:
            if agreement is None:
                services.draw_agreement(team, student, _data(form), by=current_user)
                message = _("Startafspraak opgesteld. De anderen krijgen een melding.")
            else:
                version = parse_id(form.version.data) or 0
                changed = services.change_agreement(
                    agreement, _data(form), by=current_user, version=version
                )
                message = (
                    _("Startafspraak gewijzigd. Alle drie geven opnieuw hun akkoord.")
                    if changed
                    else _("Er is niets gewijzigd.")
                )
        except NotAllowed:
            raise
        except WijklabError as error:
            db.session.rollback()
            show_error(form, error)
            status = 409 if isinstance(error, Conflict) else 422
        else:
            db.session.commit()
            flash(message, "success")
            return redirect(_detail_url(team, student))
    elif form is not None and form.errors:
        status = 422
    return _page(team, student, agreement, form), status


def _page(team: Team, student: User, agreement: StartAgreement | None, form):
    membership = team.membership_of(student)
    mine = parties_of(current_user, team, student)
    accepted = services.accepted_parties(agreement) if agreement is not None else {}
    to_accept = sorted(p for p in mine if p not in accepted)
    return render_template(
        "agreements/detail.html",
        team=team,
        project=team.project,
        student=student,
        membership=membership,
        agreement=agreement,
        form=form,
        brief=services.load_brief(agreement) if agreement is not None else None,
        focuses=services.focuses(agreement.learning_focuses) if agreement is not None else [],
        status=services.agreement_status(agreement, joined_on=membership.joined_on, today=today()),
        parties=_parties(team, student, agreement),
        changes=services.diff(agreement) if agreement is not None else [],
        may_edit=can_edit_agreement(current_user, team, student),
        accept_form=(
            AcceptForm(formdata=None, version=str(agreement.version))
            if agreement is not None
            and to_accept
            and can_accept_agreement(current_user, team, student)
            else None
        ),
        party_labels=PARTY_LABELS,
        may_list=can_list_agreements(current_user),
    )


def _parties(team: Team, student: User, agreement: StartAgreement | None) -> list[dict]:
    """The three parties with their names and, for the current version, when they accepted."""
    accepted = services.accepted_parties(agreement) if agreement is not None else {}
    names = {
        Party.STUDENT: student.name,
        Party.SUPERVISOR: team.supervisor.name,
        Party.WIJKDOCENT: team.project.owner.name,
    }
    return [
        {
            "party": party,
            "label": PARTY_LABELS[party],
            "name": names[party],
            "accepted": accepted.get(party),
        }
        for party in Party
    ]


@bp.route("/teams/<int:team_id>/students/<int:student_id>/agreement/accept", methods=["POST"])
@login_required
def accept(team_id: int, student_id: int):
    """The signed-in party accepts the version of the agreement the page showed."""
    team, student, agreement = _load(team_id, student_id)
    if agreement is None:
        abort(404)
    if not can_accept_agreement(current_user, team, student):
        abort(403)
    form = AcceptForm()
    if not form.validate_on_submit():
        abort(400)
    version = parse_id(form.version.data)
    if version is None:
        abort(400)
    party = sorted(parties_of(current_user, team, student))[0]
    try:
        accepted = services.accept_agreement(agreement, party, by=current_user, version=version)
    except NotAllowed:
        raise
    except WijklabError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(_detail_url(team, student), 303)
    db.session.commit()
    if agreement.accepted_at is not None and accepted:
        flash(
            _("Je akkoord is vastgelegd. De startafspraak is nu door alle drie geaccepteerd."),
            "success",
        )
    elif accepted:
        flash(_("Je akkoord is vastgelegd."), "success")
    else:
        flash(_("Je had deze versie al geaccepteerd."), "success")
    return redirect(_detail_url(team, student))


@bp.route("/teams/<int:team_id>/students/<int:student_id>/agreement.pdf")
@login_required
def pdf(team_id: int, student_id: int):
    team, student, agreement = _load(team_id, student_id)
    if agreement is None:
        abort(404)
    return Response(
        agreement_pdf(_snapshot(team, student, agreement)),
        mimetype="application/pdf",
        headers={
            "Content-Disposition": (
                f'attachment; filename="startafspraak-{team.id}-{student.id}'
                f'-v{agreement.version}.pdf"'
            )
        },
    )


def _snapshot(team: Team, student: User, agreement: StartAgreement) -> dict:
    """What the PDF shows, as plain values."""
    brief = services.load_brief(agreement)
    return {
        "printed_at": utcnow().isoformat(),
        "version": agreement.version,
        "accepted_at": agreement.accepted_at.isoformat() if agreement.accepted_at else None,
        "student": student.name,
        "team": {
            "label": team.label,
            "name": team.name,
            "project": team.project.title,
            "partner": team.project.partner.name,
            "supervisor": team.supervisor.name,
            "wijkdocent": team.project.owner.name,
            "joined_on": team.membership_of(student).joined_on.isoformat(),
        },
        "brief": {**brief, "weekdays": services.weekday_text(brief.get("weekdays"))},
        "part": {
            "weekdays": services.weekday_text(agreement.weekdays),
            "hours_per_week": agreement.hours_per_week,
            "agreed_bpv_hours": agreement.agreed_bpv_hours,
            "learning_focuses": services.focuses(agreement.learning_focuses),
            "supervision_form": agreement.supervision_form,
            "supervision_frequency": agreement.supervision_frequency,
            "backup_contact": agreement.backup_contact,
        },
        "acceptances": [
            {
                "party": str(row["label"]),
                "name": row["accepted"].user.name
                if row["accepted"] and row["accepted"].user
                else row["name"],
                "accepted_at": row["accepted"].accepted_at.isoformat() if row["accepted"] else None,
            }
            for row in _parties(team, student, agreement)
        ],
    }


@bp.route("/agreements")
@login_required
def index():
    """Members of running projects' teams whose start agreement is missing or not accepted,
    oldest joined first; those more than two weeks in the team are flagged."""
    if not can_list_agreements(current_user):
        abort(403)
    page = paginate(services.open_agreements_query(current_user), current_app.config["PER_PAGE"])
    return render_template(
        "agreements/index.html",
        page=page,
        rows=services.open_agreement_rows(page.items, today=today()),
        party_labels=PARTY_LABELS,
    )


@bp.route("/agreements/<int:agreement_id>")
@login_required
def by_id(agreement_id: int):
    """The audit trail links an agreement by its id: on to its page."""
    agreement = db.get_or_404(StartAgreement, agreement_id)
    team, student, _agreement = _load(agreement.team_id, agreement.student_id)
    return redirect(_detail_url(team, student))
