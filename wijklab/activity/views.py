"""Notifications and their mail preferences, the admin's audit trail, and the development
mailbox of ``make run``."""

from __future__ import annotations

import email
import email.policy
import re
from pathlib import Path

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
from flask_login import current_user, login_required
from sqlalchemy import select

from wijklab.accounts.models import Role, User
from wijklab.activity import services
from wijklab.activity.forms import DELIVERY_LABELS, preferences_form
from wijklab.activity.models import AuditEvent, Delivery, Notification
from wijklab.database import paginate
from wijklab.extensions import db
from wijklab.forms import ConfirmForm

bp = Blueprint("activity", __name__)


@bp.route("/notifications")
@login_required
def notifications():
    query = (
        select(Notification)
        .where(Notification.user_id == current_user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
    page = paginate(query, current_app.config["PER_PAGE"])
    return render_template("activity/notifications.html", page=page, describe=services.describe)


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@login_required
def read_notification(notification_id: int):
    notification = db.get_or_404(Notification, notification_id)
    if notification.user_id != current_user.id:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.mark_read(current_user, [notification])
    db.session.commit()
    return redirect(notification.link or url_for("activity.notifications"))


@bp.route("/notifications/read-all", methods=["POST"])
@login_required
def read_all_notifications():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    unread = db.session.scalars(
        select(Notification).where(
            Notification.user_id == current_user.id, Notification.read_at.is_(None)
        )
    ).all()
    services.mark_read(current_user, unread)
    db.session.commit()
    flash(_("Alle meldingen gelezen."), "success")
    return redirect(url_for("activity.notifications"))


@bp.route("/settings/notifications", methods=["GET", "POST"])
@login_required
def preferences():
    """Each user chooses per kind: mail at once, a daily or weekly overview, or no mail."""
    kinds = services.kinds_for(current_user)
    current = services.preferences(current_user)
    form = preferences_form(kinds, current)
    if form.validate_on_submit():
        services.set_preferences(
            current_user,
            {kind.name: Delivery(form[f"kind_{kind.name}"].data) for kind in kinds},
        )
        db.session.commit()
        flash(_("Je e-mailvoorkeuren zijn bewaard."), "success")
        return redirect(url_for("activity.preferences"))
    status = 422 if form.errors else 200
    return render_template(
        "activity/preferences.html",
        form=form,
        kinds=kinds,
        labels=DELIVERY_LABELS,
    ), status


@bp.route("/audit")
@login_required
def audit_log():
    """Admins browse the audit trail, filtered by action, by actor's name and by object."""
    if current_user.role != Role.ADMIN:
        abort(403)
    action = (request.args.get("action") or "").strip()[:40]
    actor = (request.args.get("actor") or "").strip()[:100]
    query = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if action:
        query = query.where(AuditEvent.action == action)
    if actor:
        query = query.join(User, User.id == AuditEvent.actor_id).where(
            User.name.icontains(actor, autoescape=True)
        )
    page = paginate(query, current_app.config["PER_PAGE"])
    return render_template(
        "activity/audit.html",
        page=page,
        action=action,
        actor=actor,
        action_labels=services.ACTION_LABELS,
    )


# --- the development mailbox -------------------------------------------------------------------

_MESSAGE_NAME = re.compile(r"^[0-9T]{15,25}-[0-9a-f]{8}\.eml$")
_LINK = re.compile(r"https?://[^\s<>\"']+")


def _mailbox() -> Path:
    if not current_app.config.get("DEV_MAILBOX"):
        abort(404)
    return Path(current_app.config["MAIL_DIR"])


def _read(path: Path) -> dict:
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    body = message.get_body(preferencelist=("plain",))
    text = body.get_content() if body is not None else ""
    return {
        "name": path.name,
        "to": message["To"],
        "subject": message["Subject"],
        "date": message["Date"],
        "text": text,
        "links": list(dict.fromkeys(_LINK.findall(text))),
    }


@bp.route("/dev/mail")
def dev_mailbox():
    """Development only: the messages ``make run`` wrote to MAIL_DIR, newest first."""
    folder = _mailbox()
    names = (
        sorted(
            (p for p in folder.glob("*.eml") if _MESSAGE_NAME.match(p.name)),
            key=lambda p: p.name,
            reverse=True,
        )
        if folder.is_dir()
        else []
    )
    try:
        page_number = max(int(request.args.get("page", 1)), 1)
    except ValueError:
        page_number = 1
    per_page = current_app.config["PER_PAGE"]
    shown = names[(page_number - 1) * per_page : page_number * per_page]
    return render_template(
        "activity/dev_mailbox.html",
        messages=[_read(p) for p in shown],
        page_number=page_number,
        has_next=len(names) > page_number * per_page,
        total=len(names),
    )


@bp.route("/dev/mail/<name>")
def dev_message(name: str):
    folder = _mailbox()
    if not _MESSAGE_NAME.match(name) or not (folder / name).is_file():
        abort(404)
    return render_template("activity/dev_message.html", message=_read(folder / name))
