"""The route inventory and the permission matrix: every URL is public on purpose or behind login,
and each protected URL answers anonymous users, wrong roles and missing CSRF tokens correctly."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests import factories
from wijklab.agreements.models import StartAgreement
from wijklab.extensions import db

# Endpoints anyone may reach without signing in. A new route must be added here on purpose,
# or be protected: test_every_route_is_public_on_purpose_or_needs_login enforces it.
PUBLIC_ENDPOINTS = {
    "static",
    "accounts.login",
    "accounts.set_language",
    "api.healthz",
    "statements.verify",
    # one-time links: the token in the link is the credential
    "accounts.forgot_password",
    "accounts.reset_password",
    "accounts.welcome",
    "accounts.login_link",
    "review.link",
    "agenda.feed.calendar",  # the secret calendar link (its token is the credential)
    # the API's description; its resources (api_v1.*) answer 401 JSON without a bearer token
    "api-docs.openapi_json",
    "api_reference.reference",
    # institution login (OpenID Connect): the provider's answer is the credential
    "oidc.start",
    "oidc.callback",
    "oidc.link",
    # the development mailbox answers 404 unless DEV_MAILBOX is on (development only)
    "activity.dev_mailbox",
    "activity.dev_message",
}

# Every protected URL of the foundation: (method, url, roles allowed).
MANAGERS = {"admin", "wijkdocent"}
# Students and supervisors outside the team do not see the object (404); admins and the
# project's wijkdocent see it but may not do this (403).
HIDDEN_FROM_OUTSIDERS = {"student": 404, "supervisor": 404}
ALL = {"admin", "wijkdocent", "student", "supervisor"}
PROTECTED = [
    ("GET", "/", {"admin", "wijkdocent", "student", "supervisor"}),
    ("POST", "/auth/logout", {"admin", "wijkdocent", "student", "supervisor"}),
    ("GET", "/account/password", {"admin", "wijkdocent", "student", "supervisor"}),
    ("POST", "/account/password", {"admin", "wijkdocent", "student", "supervisor"}),
    ("GET", "/users", {"admin"}),
    ("GET", "/users/new", MANAGERS),
    ("POST", "/users/new", MANAGERS),
    ("POST", "/users/{user}/invite", MANAGERS),
    ("GET", "/users/{user}/edit", {"admin"}),
    ("POST", "/users/{user}/edit", {"admin"}),
    ("POST", "/users/{user}/deactivate", {"admin"}),
    ("POST", "/users/{user}/reactivate", {"admin"}),
    ("GET", "/organisations/", MANAGERS),
    ("GET", "/organisations/new", MANAGERS),
    ("POST", "/organisations/new", MANAGERS),
    ("GET", "/organisations/{organisation}/edit", MANAGERS),
    ("POST", "/organisations/{organisation}/edit", MANAGERS),
    ("GET", "/neighbourhoods/", MANAGERS),
    ("GET", "/neighbourhoods/new", MANAGERS),
    ("POST", "/neighbourhoods/new", MANAGERS),
    ("GET", "/neighbourhoods/{neighbourhood}/edit", MANAGERS),
    ("POST", "/neighbourhoods/{neighbourhood}/edit", MANAGERS),
    ("GET", "/projects/", ALL),
    ("GET", "/projects/new", MANAGERS),
    ("POST", "/projects/new", MANAGERS),
    ("GET", "/projects/{project}", MANAGERS, 404),
    ("GET", "/projects/{project}/edit", MANAGERS),
    ("POST", "/projects/{project}/edit", MANAGERS),
    ("POST", "/projects/{project}/complete", MANAGERS),
    ("POST", "/projects/{project}/archive", MANAGERS),
    ("POST", "/projects/{project}/activate", MANAGERS),
    ("GET", "/projects/{project}/teams/new", MANAGERS),
    ("POST", "/projects/{project}/teams/new", MANAGERS),
    ("GET", "/projects/{project}/builder", MANAGERS),
    ("POST", "/projects/{project}/builder", MANAGERS),
    ("GET", "/teams/{team}", MANAGERS, 404),
    ("GET", "/teams/{team}/edit", MANAGERS),
    ("POST", "/teams/{team}/edit", MANAGERS),
    ("POST", "/teams/{team}/members", MANAGERS),
    ("POST", "/teams/{team}/members/{membership}/remove", MANAGERS),
    ("POST", "/teams/{team}/members/{membership}/role", MANAGERS),
    ("GET", "/teams/{team}/handover", MANAGERS, 404),
    ("POST", "/teams/{team}/handover", MANAGERS, 404),
    ("GET", "/teams/{team}/tasks/new", MANAGERS, 404),
    ("POST", "/teams/{team}/tasks/new", MANAGERS, 404),
    ("GET", "/tasks/{task}", MANAGERS, 404),
    ("GET", "/tasks/{task}/edit", MANAGERS, 404),
    ("POST", "/tasks/{task}/edit", MANAGERS, 404),
    ("POST", "/tasks/{task}/verify", MANAGERS, 404),
    ("POST", "/tasks/{task}/return", MANAGERS, 404),
    ("POST", "/tasks/{task}/participations/{participation}/minutes", MANAGERS, 404),
    ("POST", "/tasks/{task}/participations/{participation}/remove", MANAGERS, 404),
    ("POST", "/tasks/participations/{participation}/reflection", {"student_member"}),
    ("GET", "/tasks/waiting", {"admin", "wijkdocent", "supervisor"}),
    ("POST", "/tasks/verify", {"admin", "wijkdocent", "supervisor"}),
    ("GET", "/teams/{team}/supervision", {"team_supervisor"}),
    ("POST", "/teams/{team}/supervision", {"team_supervisor"}),
    ("GET", "/teams/{team}/visits", MANAGERS),
    ("POST", "/teams/{team}/visits", MANAGERS),
    ("GET", "/students/{student}/hours", MANAGERS, 404),
    ("GET", "/goals/", ALL),
    ("GET", "/teams/{team}/goals/new", {"student_member"}),
    ("POST", "/teams/{team}/goals/new", {"student_member"}),
    ("GET", "/goals/{goal}", MANAGERS, 404),
    ("GET", "/goals/{goal}/edit", {"goal_owner"}, HIDDEN_FROM_OUTSIDERS),
    ("POST", "/goals/{goal}/edit", {"goal_owner"}, HIDDEN_FROM_OUTSIDERS),
    ("POST", "/goals/{goal}/transition", set(), HIDDEN_FROM_OUTSIDERS),
    ("POST", "/goals/{goal}/evidence", {"goal_owner"}, HIDDEN_FROM_OUTSIDERS),
    ("POST", "/goals/{goal}/feedback", MANAGERS, 404),
    ("POST", "/goals/{goal}/ask-peer-coach", set(), HIDDEN_FROM_OUTSIDERS),
    ("GET", "/notifications", ALL),
    ("GET", "/privacy/my-data", ALL),
    ("GET", "/privacy/my-data.json", ALL),
    ("GET", "/privacy/my-data.pdf", ALL),
    ("GET", "/privacy/register", {"admin"}),
    ("GET", "/privacy/users/{user}/export.json", {"admin"}),
    ("GET", "/privacy/users/{user}/export.pdf", {"admin"}),
    ("GET", "/privacy/users/{user}/erase", {"admin"}),
    ("POST", "/privacy/users/{user}/erase", {"admin"}),
    ("GET", "/settings/notifications", ALL),
    ("POST", "/settings/notifications", ALL),
    ("GET", "/settings/agenda", ALL),
    ("POST", "/settings/agenda/new", ALL),
    ("POST", "/settings/agenda/revoke", ALL),
    ("GET", "/settings/tokens", ALL),
    ("POST", "/settings/tokens", ALL),
    # Someone else's token: nobody sees it (the owner is the member, not a role fixture).
    ("POST", "/settings/tokens/{token}/revoke", set(), 404),
    ("POST", "/goals/sign-off", {"supervisor"}),
    ("GET", "/teams/{team}/goals/for-everyone", MANAGERS),
    ("POST", "/teams/{team}/goals/for-everyone", MANAGERS),
    ("GET", "/audit", {"admin"}),
    ("GET", "/frameworks", {"admin"}),
    ("POST", "/frameworks", {"admin"}),
    ("POST", "/notifications/read-all", ALL),
    ("POST", "/notifications/{notification}/read", {"recipient"}, 404),
    ("GET", "/exports/", ALL),
    ("GET", "/exports/download", ALL),
    ("GET", "/exports/search/projects", ALL),
    ("GET", "/exports/search/teams", ALL),
    ("GET", "/exports/search/students", {"admin", "wijkdocent", "supervisor"}),
    ("GET", "/reports/neighbourhoods", MANAGERS),
    ("GET", "/reports/neighbourhoods/{neighbourhood}", MANAGERS),
    ("GET", "/reports/neighbourhoods/{neighbourhood}/activities", MANAGERS),
    ("GET", "/reports/neighbourhoods/{neighbourhood}/report.pdf", MANAGERS),
    ("GET", "/reports/neighbourhoods/{neighbourhood}/report.xlsx", MANAGERS),
    ("GET", "/reports/placements", MANAGERS),
    ("GET", "/statements/teams/{team}/students/{student}", MANAGERS, HIDDEN_FROM_OUTSIDERS),
    # Only the student requests, only the team's supervisor confirms, only the student withdraws.
    ("POST", "/statements/teams/{team}/students/{student}/request", set(), HIDDEN_FROM_OUTSIDERS),
    ("GET", "/statements/requests/{request}", MANAGERS, HIDDEN_FROM_OUTSIDERS),
    ("POST", "/statements/requests/{request}/confirm", set(), HIDDEN_FROM_OUTSIDERS),
    ("POST", "/statements/requests/{request}/issue", MANAGERS, HIDDEN_FROM_OUTSIDERS),
    ("POST", "/statements/requests/{request}/return", MANAGERS, HIDDEN_FROM_OUTSIDERS),
    ("POST", "/statements/requests/{request}/withdraw", set(), HIDDEN_FROM_OUTSIDERS),
    ("GET", "/statements", ALL),
    ("GET", "/statements/committee", MANAGERS),
    ("GET", "/statements/{statement}", MANAGERS, HIDDEN_FROM_OUTSIDERS),
    ("GET", "/statements/{statement}.pdf", MANAGERS, HIDDEN_FROM_OUTSIDERS),
    ("GET", "/teams/{team}/students/{student}/agreement", MANAGERS, HIDDEN_FROM_OUTSIDERS),
    ("POST", "/teams/{team}/students/{student}/agreement", MANAGERS, HIDDEN_FROM_OUTSIDERS),
    # Each of the three accepts for themselves: the project's wijkdocent, not an admin.
    (
        "POST",
        "/teams/{team}/students/{student}/agreement/accept",
        {"wijkdocent"},
        HIDDEN_FROM_OUTSIDERS,
    ),
    ("GET", "/teams/{team}/students/{student}/agreement.pdf", MANAGERS, HIDDEN_FROM_OUTSIDERS),
    ("GET", "/agreements", {"admin", "wijkdocent", "supervisor"}),
    ("GET", "/agreements/{agreement}", MANAGERS, HIDDEN_FROM_OUTSIDERS),
    ("GET", "/projects/open", ALL),
    ("GET", "/projects/{project}/brief", MANAGERS, 404),
    ("GET", "/students/{student}/coverage", MANAGERS, 404),
    ("GET", "/teams/{team}/coverage", MANAGERS, HIDDEN_FROM_OUTSIDERS),
    ("GET", "/users/import", MANAGERS),
    ("POST", "/users/import", MANAGERS),
    ("GET", "/users/import/{upload}", MANAGERS),
    ("GET", "/users/import/{upload}/columns", MANAGERS),
    ("POST", "/users/import/{upload}/columns", MANAGERS),
    ("POST", "/users/import/apply", MANAGERS),
    ("GET", "/users/import/{upload}/result", MANAGERS),
    ("GET", "/users/import/{upload}/links", MANAGERS),
    ("GET", "/me/availability", {"student"}),
    ("POST", "/me/availability", {"student"}),
    ("GET", "/projects/{project}/wishes", MANAGERS),
    ("POST", "/projects/{project}/wishes/remind", MANAGERS),
]
# Object pages answer 404 to people who may not know the object exists; actions answer 403.
OWNER_ONLY = [
    (m, u)
    for m, u, *_ in PROTECTED
    if ("{project}" in u or "{team}" in u or "{task}" in u)
    # Every wijkdocent sees every project: its brief and a team's coverage are not owner-only.
    and not u.endswith(("}", "/handover", "/brief", "/coverage"))
]
ROLES = ["admin", "wijkdocent", "student", "supervisor"]


@pytest.fixture
def objects(wijkdocent):
    """One object of each kind; the project belongs to the ``wijkdocent`` fixture's user, and
    its team has a member who is not the ``student`` fixture."""
    project = factories.make_project(owner=wijkdocent)
    member = factories.make_student()
    team = factories.make_team(project=project, members=[member])
    task = factories.make_task(team=team, participants=[member])
    goal = factories.make_goal(team=team, student=member)
    from wijklab.activity.models import Notification
    from wijklab.activity.services import notify

    notify(member.id, "feedback", f"/goals/{goal.id}", by="Petra", title=goal.title)
    statement = factories.make_statement(team, member, by=wijkdocent)
    db.session.commit()
    return {
        # The member's own notification: making the statement also tells the wijkdocent.
        "notification": db.session.scalar(
            select(Notification.id).where(
                Notification.user_id == member.id, Notification.kind == "feedback"
            )
        ),
        "statement": statement.id,
        "token": _token_of(member),
        "upload": "1",
        "request": statement.request_id,
        "agreement": db.session.scalar(select(StartAgreement.id)),
        "goal": goal.id,
        "task": task.id,
        "participation": task.participations[0].id,
        "student": member.id,
        "user": factories.make_user(role="student").id,
        "organisation": factories.make_organisation().id,
        "neighbourhood": factories.make_neighbourhood().id,
        "project": project.id,
        "team": team.id,
        "membership": team.memberships[0].id,
    }


def _token_of(user) -> int:
    from wijklab.api.models import TokenScope
    from wijklab.api.services import create_token

    token, _raw = create_token(user, name="Koppeling", scope=TokenScope.READ, days=30)
    db.session.flush()
    return token.id


def fill(url: str, objects: dict) -> str:
    return url.format(**objects)


def test_every_route_is_public_on_purpose_or_needs_login(app, client):
    """Request every route anonymously: each one not on the public list sends us to login."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        url = re.sub(r"<(?:int:)?[^>]+>", "1", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            if rule.endpoint.startswith("api_v1."):
                # The JSON API asks for its bearer token instead (tests/api has its matrix).
                assert response.status_code == 401, f"{method} {rule.rule} is open"
                assert response.get_json()["error"]["code"] == "unauthorized"
                continue
            assert response.status_code == 302, f"{method} {rule.rule} is open to anonymous users"
            assert response.headers["Location"].startswith("/auth/login"), rule.rule


def test_the_permission_matrix_lists_every_protected_route(app):
    listed = {(m, re.sub(r"\{\w+\}", "1", u)) for m, u, *_ in PROTECTED}
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS or rule.endpoint.startswith("api_v1."):
            continue
        url = re.sub(r"<(?:int:)?[^>]+>", "1", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (method, url) in listed, f"{method} {rule.rule} is missing from PROTECTED"


# Anonymous users are sent away before any object is loaded, so the ids need not exist.
NO_OBJECTS = {name: 1 for name in re.findall(r"\{(\w+)\}", " ".join(u for _, u, *_ in PROTECTED))}


@pytest.mark.parametrize(("method", "url"), [(m, u) for m, u, *_ in PROTECTED])
def test_anonymous_is_sent_to_login(client, method, url):
    response = client.open(fill(url, NO_OBJECTS), method=method)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


def denied_status(rest: list, role: str) -> int:
    status = rest[1] if len(rest) > 1 else 403
    return status.get(role, 403) if isinstance(status, dict) else status


WRONG_ROLE = [
    (m, u, r, denied_status(rest, r))
    for m, u, *rest in PROTECTED
    for r in ROLES
    if r not in rest[0]
]


@pytest.mark.parametrize(("method", "url", "role", "status"), WRONG_ROLE)
def test_wrong_role_is_refused(client, login_as, users_by_role, objects, method, url, role, status):
    login_as(users_by_role[role])
    response = client.open(fill(url, objects), method=method)
    assert response.status_code == status
    title = "Geen toegang" if status == 403 else "Pagina niet gevonden"
    assert title in response.get_data(as_text=True)


@pytest.mark.parametrize(("method", "url"), OWNER_ONLY)
def test_other_wijkdocents_project_is_refused(client, login_as, objects, method, url):
    login_as(factories.make_user(role="wijkdocent"))
    response = client.open(fill(url, objects), method=method)
    assert response.status_code == 403


@pytest.mark.parametrize(("method", "url"), [(m, u) for m, u, *_ in PROTECTED if m == "POST"])
def test_post_without_csrf_token_gets_400(csrf_app, client, login_as, admin, objects, method, url):
    login_as(admin)
    response = client.post(fill(url, objects), data={"name": "Zonder token"})
    assert response.status_code == 400
    assert "formulier is verlopen" in response.get_data(as_text=True)


def test_post_with_a_forged_csrf_token_gets_400(csrf_app, client, login_as, admin):
    login_as(admin)
    response = client.post(
        "/neighbourhoods/new", data={"name": "X", "city": "Y", "csrf_token": "nep"}
    )
    assert response.status_code == 400


def test_post_with_a_real_csrf_token_works(csrf_app, client, login_as, admin):
    login_as(admin)
    html = client.get("/neighbourhoods/new").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    response = client.post(
        "/neighbourhoods/new", data={"name": "Laak", "city": "Den Haag", "csrf_token": token}
    )
    assert response.status_code == 302


def test_language_switch_without_csrf_token_gets_400(csrf_app, client):
    assert client.post("/language", data={"locale": "en"}).status_code == 400


@pytest.mark.parametrize(("method", "url"), [(m, u) for m, u, *_ in PROTECTED if "{goal}" in u])
def test_other_wijkdocent_does_not_see_goals_of_another_project(
    client, login_as, objects, method, url
):
    login_as(factories.make_user(role="wijkdocent"))
    assert client.open(fill(url, objects), method=method).status_code == 404
