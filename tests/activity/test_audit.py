"""One audit trail for every feature: each recorded action through the real view (actor, action,
object, details without personal data), and the admin's Audittrail page (filters, links to the
objects, admin only, a fixed number of queries)."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from tests import factories
from tests.test_query_counts import count_for
from wijklab.activity.models import AuditEvent
from wijklab.activity.services import record
from wijklab.extensions import db
from wijklab.projects.models import ProjectStatus
from wijklab.tasks import services as task_services
from wijklab.tasks.models import TaskStatus

TODAY = date(2026, 11, 28)
REASON = "Mevrouw Jansen (06-12345678) was er niet bij."


@pytest.fixture(autouse=True)
def fixed_today(clock):
    clock.set(TODAY)


@pytest.fixture
def lab(app, wijkdocent, supervisor):
    """Ana and Bram in a team of the wijkdocent's active project, supervised by Petra, with one
    pending task they both took part in."""
    project = factories.make_project(
        owner=wijkdocent,
        status=ProjectStatus.ACTIVE,
        partner=supervisor.supervisor_profile.organisation,
    )
    ana = factories.make_student(name="Ana Sousa")
    bram = factories.make_student(name="Bram de Wit")
    team = factories.make_team(project=project, supervisor=supervisor, members=[ana, bram])
    task = factories.make_task(
        team=team,
        participants=[ana, bram],
        title="Wijkschouw Transvaal",
        description="Met mevrouw Jansen de straat door.",
    )
    return {"team": team, "task": task, "ana": ana, "bram": bram, "project": project}


def events(action: str | None = None) -> list[AuditEvent]:
    db.session.rollback()
    query = select(AuditEvent).order_by(AuditEvent.id)
    if action:
        query = query.where(AuditEvent.action == action)
    return list(db.session.scalars(query))


def details(event: AuditEvent) -> dict:
    return json.loads(event.details)


def html(response) -> str:
    return response.get_data(as_text=True)


# --- each recorded action ------------------------------------------------------------------


def test_the_supervisor_verifying_a_task_is_recorded(client, login_as, lab, supervisor):
    login_as(supervisor)
    assert client.post(f"/tasks/{lab['task'].id}/verify", data={"version": "1"}).status_code == 302
    [event] = events("task.verified")
    assert (event.actor_id, event.object_type, event.object_id) == (
        supervisor.id,
        "Task",
        lab["task"].id,
    )
    assert details(event) == {"on_behalf": False}
    assert events("task.verified_on_behalf") == []


def test_verifying_on_behalf_of_the_supervisor_is_its_own_action(client, login_as, lab, wijkdocent):
    login_as(wijkdocent)
    assert client.post(f"/tasks/{lab['task'].id}/verify", data={"version": "1"}).status_code == 302
    [event] = events("task.verified_on_behalf")
    assert (event.actor_id, event.object_id) == (wijkdocent.id, lab["task"].id)
    assert details(event) == {"on_behalf": True}


def test_returning_a_task_is_recorded_without_the_reason(client, login_as, lab, supervisor):
    login_as(supervisor)
    response = client.post(
        f"/tasks/{lab['task'].id}/return", data={"reason": REASON, "version": "1"}
    )
    assert response.status_code == 302
    [event] = events("task.returned")
    assert (event.actor_id, event.object_type, event.object_id) == (
        supervisor.id,
        "Task",
        lab["task"].id,
    )
    assert details(event) == {}
    assert "Jansen" not in event.details


def test_editing_a_verified_task_is_recorded_with_the_changed_fields_only(
    client, login_as, lab, supervisor
):
    task = lab["task"]
    task_services.verify_task(task, by=supervisor, on_behalf=False)
    db.session.commit()
    ana = lab["ana"]
    login_as(ana)
    data = {
        "date": task.date.isoformat(),
        "title": "Wijkschouw met mevrouw Jansen",
        "category": task.category.value,
        "description": task.description,
        "residents_reached": "0",
        "partners_involved": "",
        "version": str(task.version),
    }
    for p in task.participations:
        data[f"take_{p.student_id}"] = "y"
        data[f"minutes_{p.student_id}"] = str(p.minutes)
        data[f"role_{p.student_id}"] = p.role.value
    response = client.post(f"/tasks/{task.id}/edit", data=data)
    assert response.status_code == 302
    [event] = events("task.edited_after_verification")
    assert (event.actor_id, event.object_type, event.object_id) == (ana.id, "Task", task.id)
    assert details(event) == {"changed": ["title"]}
    assert "Jansen" not in event.details


def test_editing_a_pending_task_is_not_an_edit_after_verification(client, login_as, lab):
    task = lab["task"]
    task_services.edit_task(
        task,
        task_services.TaskData(
            date=task.date,
            title="Nieuwe titel",
            category=task.category,
            participants=[
                task_services.Participant(p.student_id, p.minutes, p.role)
                for p in task.participations
            ],
        ),
        by=lab["ana"],
        version=task.version,
        today=TODAY,
    )
    db.session.commit()
    assert task.status == TaskStatus.PENDING
    assert events("task.edited_after_verification") == []


def test_issuing_a_statement_is_recorded_with_ids_only(lab, supervisor, wijkdocent):
    ana = lab["ana"]
    statement = factories.make_statement(lab["team"], ana, by=wijkdocent)
    db.session.commit()
    [event] = events("statement.issued")
    assert (event.actor_id, event.object_type, event.object_id) == (
        wijkdocent.id,
        "Statement",
        statement.id,
    )
    assert details(event) == {"student_id": ana.id, "team_id": lab["team"].id}
    [requested] = events("statement.requested")
    assert (requested.actor_id, requested.object_type) == (ana.id, "StatementRequest")
    cutoff = statement.cutoff_date.isoformat()
    assert details(requested) == {"team_id": lab["team"].id, "cutoff": cutoff}
    [confirmed] = events("statement.confirmed")
    assert confirmed.actor_id == supervisor.id


def test_downloading_an_export_is_recorded_with_the_filters_and_row_count(
    client, login_as, lab, wijkdocent
):
    login_as(wijkdocent)
    response = client.get(
        "/exports/download",
        query_string={
            "dataset": "participations",
            "fmt": "csv",
            "project": lab["project"].id,
            "start": "2026-09-01",
        },
    )
    assert response.status_code == 200
    assert "Wijkschouw" in html(response)
    [event] = events("export.downloaded")
    assert (event.actor_id, event.object_type, event.object_id) == (wijkdocent.id, "Export", 0)
    assert details(event) == {
        "dataset": "participations",
        "format": "csv",
        "rows": 2,
        "project_id": lab["project"].id,
        "start": "2026-09-01",
    }


def test_a_refused_export_is_not_recorded(client, login_as, wijkdocent):
    login_as(wijkdocent)
    response = client.get("/exports/download", query_string={"fmt": "pdf"})
    assert response.status_code == 400
    assert events("export.downloaded") == []


FRAMEWORK = """
[framework]
code = "eigen-kader"
title = "Ons eigen kader"
level = "mbo"
source = "Eigen formulering voor de test"

[[items]]
code = "K1"
title = "Kerntaak een"
kind = "core_task"
"""


def test_uploading_a_framework_is_recorded_with_the_counts(client, login_as, admin):
    login_as(admin)
    response = client.post(
        "/frameworks",
        data={"file": (io.BytesIO(FRAMEWORK.encode()), "kader.toml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    [event] = events("framework.uploaded")
    assert (event.actor_id, event.object_type, event.object_id) == (admin.id, "Framework", 0)
    assert details(event) == {
        "framework": "eigen-kader",
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "deactivated": 0,
    }


def test_a_refused_framework_upload_is_not_recorded(client, login_as, admin):
    login_as(admin)
    response = client.post(
        "/frameworks",
        data={"file": (io.BytesIO(b"[framework"), "kader.toml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert events("framework.uploaded") == []


# --- the Audittrail page ---------------------------------------------------------------------


def add(actor, action: str, object_type: str, object_id: int, at: datetime, **extra) -> None:
    record(actor, action, object_type=object_type, object_id=object_id, **extra)
    db.session.flush()
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    event.at = at


@pytest.fixture
def trail(app, admin, lab, supervisor, wijkdocent):
    """Three events: Petra verified a task on 2 November, the wijkdocent issued a statement late
    on 10 November (Amsterdam: already the 11th) and Petra returned the task on 20 November."""
    add(
        supervisor,
        "task.verified",
        "Task",
        lab["task"].id,
        datetime(2026, 11, 2, 9, tzinfo=UTC),
        on_behalf=False,
    )
    add(
        wijkdocent,
        "statement.issued",
        "Statement",
        77,
        datetime(2026, 11, 10, 23, 30, tzinfo=UTC),
        student_id=lab["ana"].id,
    )
    add(supervisor, "task.returned", "Task", lab["task"].id, datetime(2026, 11, 20, 9, tzinfo=UTC))
    db.session.commit()
    return lab


def rows(page: str) -> list[str]:
    """The action label of each row, top to bottom."""
    return re.findall(r'data-label="Gebeurtenis">([^<]*)<', page)


def test_admin_sees_every_event_newest_first_with_labels(client, login_as, admin, trail):
    login_as(admin)
    response = client.get("/audit")
    assert response.status_code == 200
    assert rows(html(response)) == [
        "Taak teruggegeven",
        "Praktijkverklaring uitgegeven",
        "Taak goedgekeurd",
    ]


@pytest.mark.parametrize("role", ["wijkdocent", "student", "supervisor"])
def test_only_an_admin_opens_the_audit_trail(client, login_as, users_by_role, trail, role):
    login_as(users_by_role[role])
    response = client.get("/audit")
    assert response.status_code == 403
    assert "Taak goedgekeurd" not in html(response)


def test_anonymous_is_sent_to_the_login(client, trail):
    response = client.get("/audit")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_filter_by_kind(client, login_as, admin, trail):
    login_as(admin)
    page = html(client.get("/audit", query_string={"action": "task.returned"}))
    assert rows(page) == ["Taak teruggegeven"]
    assert '<option value="task.returned" selected>' in page


def test_the_kind_select_lists_registered_labels_sorted(client, login_as, admin, trail):
    login_as(admin)
    page = html(client.get("/audit"))
    select_html = re.search(r'<select id="action".*?</select>', page, re.DOTALL).group(0)
    labels = re.findall(r'<option value="[^"]+" >([^<]+)<', select_html)
    assert "Taak namens de werkbegeleider goedgekeurd" in labels
    assert "Leerdoel afgetekend" in labels
    assert "Export gedownload" in labels
    assert labels == sorted(labels, key=str.casefold)


def test_filter_by_actor_name(client, login_as, admin, trail):
    login_as(admin)
    page = html(client.get("/audit", query_string={"actor": "petra"}))
    assert rows(page) == ["Taak teruggegeven", "Taak goedgekeurd"]
    assert 'value="petra"' in page


def test_filter_by_object_type_and_id(client, login_as, admin, trail):
    login_as(admin)
    page = html(client.get("/audit", query_string={"object_type": "Statement"}))
    assert rows(page) == ["Praktijkverklaring uitgegeven"]
    task_id = trail["task"].id
    page = html(client.get("/audit", query_string={"object_type": "Task", "object_id": task_id}))
    assert rows(page) == ["Taak teruggegeven", "Taak goedgekeurd"]
    assert f'value="{task_id}"' in page
    page = html(client.get("/audit", query_string={"object_id": 999999}))
    assert rows(page) == []


def test_filter_by_period_in_amsterdam_time(client, login_as, admin, trail):
    login_as(admin)
    # 23:30 UTC on 10 November is 00:30 on the 11th in Amsterdam.
    page = html(client.get("/audit", query_string={"start": "2026-11-11", "end": "2026-11-11"}))
    assert rows(page) == ["Praktijkverklaring uitgegeven"]
    page = html(client.get("/audit", query_string={"end": "2026-11-10"}))
    assert rows(page) == ["Taak goedgekeurd"]
    page = html(client.get("/audit", query_string={"start": "20-11-2026"}))
    assert rows(page) == ["Taak teruggegeven"]
    assert 'value="2026-11-20"' in page


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"start": "2026-13-45"}, "start", "Vul een geldige datum in"),
        ({"end": "gisteren"}, "end", "Vul een geldige datum in"),
        (
            {"start": "2026-11-20", "end": "2026-11-01"},
            "end",
            "De einddatum ligt vóór de begindatum.",
        ),
        ({"object_id": "abc"}, "object_id", "Vul een nummer in."),
    ],
)
def test_bad_filter_values_show_an_error_next_to_the_field(
    client, login_as, admin, trail, params, field, message
):
    login_as(admin)
    response = client.get("/audit", query_string=params)
    assert response.status_code == 200
    page = html(response)
    assert re.search(rf'<p class="error" id="{field}-error">{message}', page)
    # the broken filter is left out: every event is still listed
    assert len(rows(page)) == 3


def test_rows_link_to_their_objects(client, login_as, admin, trail, supervisor):
    record(admin, "user.updated", supervisor)
    record(admin, "export.downloaded", object_type="Export", object_id=0, rows=3)
    record(admin, "framework.uploaded", object_type="Framework", object_id=0, created=1)
    db.session.commit()
    login_as(admin)
    page = html(client.get("/audit"))
    task_id = trail["task"].id
    assert f'<a href="/tasks/{task_id}">Taak {task_id}</a>' in page
    assert '<a href="/statements/77">Praktijkverklaring 77</a>' in page
    assert f'<a href="/users/{supervisor.id}/edit">Gebruiker {supervisor.id}</a>' in page
    assert '<a href="/frameworks">Kwalificatiekader</a>' in page
    assert 'data-label="Object">Export</td>' in page
    assert '<li><span class="key">rows:</span> 3</li>' in page
    assert '<li><span class="key">on_behalf:</span> nee</li>' in page


def test_unknown_kinds_and_types_show_as_stored(client, login_as, admin, trail):
    record(admin, "something.else", object_type="Gadget", object_id=5)
    db.session.commit()
    login_as(admin)
    page = html(client.get("/audit"))
    assert rows(page)[0] == "something.else"
    assert 'data-label="Object">Gadget 5</td>' in page


def test_the_audit_trail_runs_a_fixed_number_of_queries(client, login_as, admin, trail):
    login_as(admin)
    small = count_for(client, "/audit")
    for i in range(30):
        actor = factories.make_user(role="wijkdocent")
        record(actor, "statement.issued", object_type="Statement", object_id=i + 100)
        record(actor, "task.verified", object_type="Task", object_id=i + 100, on_behalf=False)
    db.session.commit()
    large = count_for(client, "/audit")
    assert small == large
