"""Permission predicates, forms and filters that templates use."""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urlencode

from flask import Flask, request
from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from wijklab.accounts.forms import (
    LEVEL_LABELS,
    ROLE_LABELS,
    WEEKDAY_LABELS,
    LanguageForm,
)
from wijklab.accounts.permissions import (
    can_change_active_state,
    can_invite_users,
    can_manage_users,
)
from wijklab.activity import services as activity_services
from wijklab.forms import ConfirmForm
from wijklab.goals import services as goal_services
from wijklab.goals.forms import STATUS_LABELS as GOAL_STATUS_LABELS
from wijklab.i18n import (
    decimal,
    format_number,
    get_locale,
    gettext,
    install_fast_gettext,
    table_date,
    text_date,
    week,
    whole,
)
from wijklab.neighbourhoods.permissions import can_manage_neighbourhoods
from wijklab.organisations.permissions import can_manage_organisations
from wijklab.projects.models import ProjectStatus
from wijklab.projects.permissions import (
    can_create_project,
    can_manage_project,
    can_view_project,
)
from wijklab.reports.charts import hours_progress_chart
from wijklab.reports.permissions import (
    can_view_neighbourhood_report,
    can_view_placements,
)
from wijklab.statements.permissions import can_read_statements
from wijklab.tasks import services as task_services
from wijklab.tasks import waiting as waiting_work
from wijklab.tasks.forms import CATEGORY_LABELS
from wijklab.tasks.permissions import can_log_supervision, can_log_task, can_log_visit
from wijklab.teams.forms import ROLE_LABELS as MEMBER_ROLE_LABELS
from wijklab.teams.permissions import can_manage_team, can_view_team, can_write_handover
from wijklab.teams.services import describe as describe_problem
from wijklab.teams.services import team_problems

STATUS_LABELS = {
    ProjectStatus.DRAFT: _l("concept"),
    ProjectStatus.ACTIVE: _l("actief"),
    ProjectStatus.COMPLETED: _l("afgerond"),
    ProjectStatus.ARCHIVED: _l("gearchiveerd"),
}
STATUS_BADGES = {
    ProjectStatus.DRAFT: "warn",
    ProjectStatus.ACTIVE: "ok",
    ProjectStatus.COMPLETED: "neutral",
    ProjectStatus.ARCHIVED: "muted",
}


def local_date(value) -> str:
    """A date in running text as the user's language writes it (28 nov. 2026)."""
    return text_date(value)


def local_datetime(value: datetime | None, fmt: str = "d MMM yyyy HH:mm") -> str:
    """An aware UTC timestamp as Europe/Amsterdam time in the user's language."""
    return format_datetime(value, fmt) if value else ""


def hours(minutes) -> str:
    """Minutes as hours with one decimal in the user's language (12,5)."""
    return format_number((minutes or 0) / 60, "#,##0.0")


def duration(minutes) -> str:
    """Minutes as people say them: 1 u 30 min, 2 u, 45 min (the same on every task page)."""
    whole_hours, rest = divmod(int(minutes or 0), 60)
    if not whole_hours:
        return gettext("%(minutes)s min", minutes=rest)
    if not rest:
        return gettext("%(hours)s u", hours=whole_hours)
    return gettext("%(hours)s u %(minutes)s min", hours=whole_hours, minutes=rest)


def number(value) -> str:
    """A whole number with the user's grouping (1.250)."""
    return whole(value)


def from_iso(value: str):
    """An ISO date or timestamp from stored JSON back as a date or an aware datetime."""
    if not value:
        return None
    if len(value) == 10:
        return date.fromisoformat(value)
    return datetime.fromisoformat(value)


def weekday_names(days) -> str:
    labels = dict(WEEKDAY_LABELS)
    return ", ".join(str(labels[d]) for d in sorted(days or ()))


def url_with(drop=(), **changes) -> str:
    """The current URL with some query arguments replaced (pagination, filters) and the ones
    named in ``drop`` left out."""
    args = {k: v for k, v in request.args.to_dict().items() if k not in drop}
    args.update({k: v for k, v in changes.items() if v is not None})
    return request.path + ("?" + urlencode(args) if args else "")


def register_template_helpers(app: Flask) -> None:
    install_fast_gettext(app)
    app.jinja_env.globals.update(
        get_locale=get_locale,
        # formdata=None: these forms only render (and an oversized body must not be read again).
        language_form=lambda: LanguageForm(formdata=None),
        confirm_form=lambda: ConfirmForm(formdata=None),
        role_label=lambda role: ROLE_LABELS.get(role, role),
        level_label=lambda level: LEVEL_LABELS.get(level, level),
        can_manage_users=can_manage_users,
        can_invite_users=can_invite_users,
        can_change_active_state=can_change_active_state,
        can_manage_organisations=can_manage_organisations,
        can_manage_neighbourhoods=can_manage_neighbourhoods,
        can_create_project=can_create_project,
        can_manage_project=can_manage_project,
        can_view_project=can_view_project,
        can_manage_team=can_manage_team,
        can_view_team=can_view_team,
        can_write_handover=can_write_handover,
        status_label=lambda status: STATUS_LABELS.get(status, status),
        status_kind=lambda status: STATUS_BADGES.get(status, "neutral"),
        team_problems=team_problems,
        goal_status_labels=GOAL_STATUS_LABELS,
        unread_notifications=lambda: activity_services.unread_count(current_user),
        waiting_count=lambda: waiting_work.waiting_count(current_user),
        can_log_task=can_log_task,
        can_log_supervision=can_log_supervision,
        can_log_visit=can_log_visit,
        member_totals=task_services.member_totals,
        supervision_summary=task_services.supervision_summary,
        peer_coaching_summary=goal_services.peer_coaching_summary,
        visit_counts=task_services.visit_counts,
        category_labels=CATEGORY_LABELS,
        describe_problem=describe_problem,
        member_role_label=lambda role: MEMBER_ROLE_LABELS.get(role, role),
        url_with=url_with,
        can_view_neighbourhood_report=can_view_neighbourhood_report,
        can_view_placements=can_view_placements,
        can_read_statements=can_read_statements,
        # The student's hours page is in tasks, which may not import reports: it draws here.
        hours_progress_chart=hours_progress_chart,
    )
    app.jinja_env.filters.update(
        local_datetime=local_datetime,
        local_date=local_date,
        weekday_names=weekday_names,
        hours=hours,
        duration=duration,
        number=number,
        decimal=decimal,
        table_date=table_date,
        week=week,
        from_iso=from_iso,
    )
