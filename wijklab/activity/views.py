"""Notifications and their mail preferences, the admin's audit trail, and the development
mailbox of ``make run``."""

from __future__ import annotations

import email
import email.policy
import json
import re
from datetime import UTC, date, datetime, time, timedelta
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
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from wijklab.accounts.models import Role, User
from wijklab.activity import services
from wijklab.activity.forms import DELIVERY_LABELS, preferences_form
from wijklab.activity.models import AuditEvent, Delivery, Notification
from wijklab.clock import AMSTERDAM
from wijklab.database import KeysetPage, keyset_page
from wijklab.extensions import db
from wijklab.forms import ConfirmForm
from wijklab.inputs import parse_id, parse_page

bp = Blueprint("activity", __name__)


@bp.route("/notifications")
@login_required
def notifications():
    query = select(Notification).where(Notification.user_id == current_user.id)
    page = _newest_first(query, Notification.created_at, Notification.id)
    return render_template("activity/notifications.html", page=page, describe=services.describe)


def _newest_first(query, at, id_column) -> KeysetPage:
    """A page of a timestamped list for the ?before= / ?after= cursors (?page= of old links)."""
    return keyset_page(
        query,
        (at, id_column),
        lambda item: (getattr(item, at.key), item.id),
        (datetime.fromisoformat, int),
        current_app.config["PER_PAGE"],
        before=request.args.get("before"),
        after=request.args.get("after"),
        skip=(parse_page() - 1) * current_app.config["PER_PAGE"],
    )


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


# What the audit trail calls each object type; a type not named here is shown as stored.
OBJECT_TYPE_LABELS = {
    "Task": _l("Taak"),
    "Team": _l("Team"),
    "Project": _l("Project"),
    "Statement": _l("Praktijkverklaring"),
    "User": _l("Gebruiker"),
    "LearningGoal": _l("Leerdoel"),
    "Export": _l("Export"),
    "Framework": _l("Kwalificatiekader"),
}


# A user in the audit trail opens the admin's page of that account.
services.register_object_link("User", "accounts.edit_user", "user_id")


def _audit_date(raw: str) -> date | None:
    """A date typed as 2026-11-02 (the date picker) or 2-11-2026; ValueError when neither."""
    for pattern in ("%Y-%m-%d", "%d-%m-%Y"):
        try:
            return datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    raise ValueError(raw)


def _audit_link(event: AuditEvent) -> str | None:
    """The page of the event's object, through the links features registered (an empty
    parameter: one page for every object of that type)."""
    target = services.OBJECT_LINKS.get(event.object_type)
    if target is None:
        return None
    endpoint, parameter = target
    if not parameter:
        return url_for(endpoint)
    if not event.object_id:
        return None
    return url_for(endpoint, **{parameter: event.object_id})


def _audit_details(event: AuditEvent) -> list[tuple[str, str]]:
    """The event's details as (key, value) pairs; they hold ids, counts, filters and flags."""
    try:
        details = json.loads(event.details or "{}")
    except ValueError:
        return []
    if not isinstance(details, dict):
        return []
    pairs = []
    for key, value in details.items():
        if isinstance(value, bool):
            value = _("ja") if value else _("nee")
        elif isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        elif value is None:
            value = "—"
        pairs.append((str(key), str(value)))
    return pairs


@bp.route("/audit")
@login_required
def audit_log():
    """Admins browse the whole audit trail, newest first, filtered by action, by the actor's
    name, by object (type and id) and by period (dates in Amsterdam time)."""
    if current_user.role != Role.ADMIN:
        abort(403)
    args = request.args
    action = (args.get("action") or "").strip()[:40]
    actor = (args.get("actor") or "").strip()[:100]
    object_type = (args.get("object_type") or "").strip()[:40]
    object_id_raw = (args.get("object_id") or "").strip()[:12]
    start_raw = (args.get("start") or "").strip()[:10]
    end_raw = (args.get("end") or "").strip()[:10]
    errors: dict[str, str] = {}

    query = select(AuditEvent)
    if action:
        query = query.where(AuditEvent.action == action)
    if actor:
        query = query.join(User, User.id == AuditEvent.actor_id).where(
            User.name.icontains(actor, autoescape=True)
        )
    if object_type:
        query = query.where(AuditEvent.object_type == object_type)
    if object_id_raw:
        object_id = parse_id(object_id_raw)
        if object_id is not None:
            query = query.where(AuditEvent.object_id == object_id)
        else:
            errors["object_id"] = _("Vul een nummer in.")
    start = end = None
    for name, raw in (("start", start_raw), ("end", end_raw)):
        if not raw:
            continue
        try:
            parsed = _audit_date(raw)
        except ValueError:
            errors[name] = _("Vul een geldige datum in, bijvoorbeeld 31-12-2026.")
            continue
        if name == "start":
            start = parsed
        else:
            end = parsed
    if start and end and end < start:
        errors["end"] = _("De einddatum ligt vóór de begindatum.")
        start = end = None
    if start:
        since = datetime.combine(start, time(), tzinfo=AMSTERDAM).astimezone(UTC)
        query = query.where(AuditEvent.at >= since)
    if end:
        until = datetime.combine(end + timedelta(days=1), time(), tzinfo=AMSTERDAM)
        query = query.where(AuditEvent.at < until.astimezone(UTC))

    page = _newest_first(query, AuditEvent.at, AuditEvent.id)
    rows = [(e, _audit_link(e), _audit_details(e)) for e in page.items]
    stored_types = db.session.scalars(select(AuditEvent.object_type).distinct()).all()
    type_names = set(stored_types) | set(services.OBJECT_LINKS)
    object_types = sorted(
        ((t, str(OBJECT_TYPE_LABELS.get(t, t))) for t in type_names),
        key=lambda pair: pair[1].casefold(),
    )
    actions = sorted(
        ((key, str(label)) for key, label in services.ACTION_LABELS.items()),
        key=lambda pair: pair[1].casefold(),
    )
    return render_template(
        "activity/audit.html",
        page=page,
        rows=rows,
        errors=errors,
        filters={
            "action": action,
            "actor": actor,
            "object_type": object_type,
            "object_id": object_id_raw,
            # a valid date comes back as the date picker writes it
            "start": start.isoformat() if start else start_raw,
            "end": end.isoformat() if end else end_raw,
        },
        actions=actions,
        action_labels=services.ACTION_LABELS,
        object_types=object_types,
        type_labels=OBJECT_TYPE_LABELS,
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
    page_number = parse_page()
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
