"""A property-based fuzz over the route inventory: every GET route with hostile query parameters
and every POST route with hostile form fields, signed in as a role that may use it. No answer is
a 5xx, and a refused POST (400 and up) writes nothing.

A few examples per route in the normal suite (deterministic); ``make fuzz`` runs many more
(``WIJKLAB_FUZZ_EXAMPLES``)."""

from __future__ import annotations

import importlib
import os
import pkgutil
import re

import pytest
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

import wijklab
from tests import factories
from tests.test_routes import PROTECTED, PUBLIC_ENDPOINTS, fill
from tests.test_routes import objects as objects  # noqa: F401  (the fixture, reused)
from wijklab.extensions import db
from wijklab.teams.models import Team

EXAMPLES = int(os.environ.get("WIJKLAB_FUZZ_EXAMPLES", "3"))
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# --- what a hostile value looks like ----------------------------------------------------------

CONTROL = [chr(c) for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, 0x85)]
HOSTILE_TEXT = [
    "",
    " ",
    "0",
    "-1",
    "1e3",
    "1.5",
    "²",
    "١٢",
    "𝟙",
    str(2**31),
    str(2**63),
    str(2**64),
    "9" * 5000,
    "-" + "9" * 30,
    "0001-01-01",
    "9999-12-31",
    "2026-02-30",
    "20266-01-01",
    "2026-13-01",
    "x" * 5000,
    "é" * 3000,
    "%",
    "_",
    "\\",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "None",
    "null",
    "true",
    "NaN",
    "inf",
    "\u202e",
    "\ufeff",
    "\t\n\r",
]
PLAUSIBLE = [
    "1",
    "2",
    "y",
    "on",
    "mbo",
    "hbo",
    "member",
    "peer_coach",
    "support",
    "lead",
    "verify",
    "accept",
    "activate",
    "request_review",
    "sign_off",
    "return",
    "reopen",
    "nl",
    "en",
    "2026-03-01",
    "2026-09-01",
    "Buurtmaaltijd",
    "student@example.org",
]


def _text_values(ids: list[str]):
    return st.one_of(
        st.sampled_from(HOSTILE_TEXT),
        st.sampled_from(PLAUSIBLE + ids),
        st.text(max_size=40),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.builds(
            lambda a, c, b: a + c + b,
            st.text(max_size=5),
            st.sampled_from(CONTROL),
            st.text(max_size=5),
        ),
    )


def _form_field_names() -> list[str]:
    """Every field name of every form the app defines."""
    for module in pkgutil.walk_packages(wijklab.__path__, "wijklab."):
        if module.name.endswith((".forms", ".views")):
            importlib.import_module(module.name)
    names: set[str] = set()
    stack = list(FlaskForm.__subclasses__())
    while stack:
        form = stack.pop()
        stack.extend(form.__subclasses__())
        names.update(
            name for name in dir(form) if not name.startswith("_") and _is_field(form, name)
        )
    return sorted(names)


def _is_field(form, name: str) -> bool:
    from wtforms.fields.core import UnboundField

    return isinstance(getattr(form, name, None), UnboundField)


QUERY_NAMES = [
    "page",
    "q",
    "status",
    "kind",
    "mine",
    "neighbourhood",
    "partner",
    "school",
    "school_id",
    "supervisor_id",
    "team",
    "student",
    "project",
    "object_id",
    "object_type",
    "action",
    "actor",
    "start",
    "end",
    "weeks",
    "year",
    "weekday",
    "level",
    "team_count",
    "team_size",
    "seed",
    "propose",
    "next",
    "format",
    "locale",
]


def _names(extra: list[str]):
    return st.one_of(st.sampled_from(extra), st.text(min_size=1, max_size=12))


# --- who may use a route ----------------------------------------------------------------------


def _user_for(roles: set, users_by_role: dict, objects: dict):
    """A user the permission matrix lets use the route (the object's owner where it says so)."""
    from wijklab.accounts.models import User

    member = db.session.get(User, objects["student"])
    for role in ("admin", "wijkdocent", "supervisor", "student"):
        if role in roles:
            return users_by_role[role]
    if "team_supervisor" in roles:
        return db.session.get(Team, objects["team"]).supervisor
    return member  # student_member, goal_owner, recipient, and the goal transition


def _row_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def _ids(objects: dict) -> list[str]:
    return sorted({str(v) for v in objects.values()})


def _dynamic_names(objects: dict) -> list[str]:
    """Field names built from ids (the task form's take_<id>, the team builder's team_<id>)."""
    student = objects["student"]
    return [f"{prefix}_{student}" for prefix in ("take", "minutes", "role", "team")]


FORM_NAMES = _form_field_names()
GET_ROUTES = [(url, roles) for method, url, roles, *_ in PROTECTED if method == "GET"]
POST_ROUTES = [(url, roles) for method, url, roles, *_ in PROTECTED if method == "POST"]


def _check(response, method: str, url: str, sent) -> None:
    assert response.status_code < 500, f"{method} {url} answered {response.status_code} to {sent!r}"


def _page_field_names(client, url: str) -> list[str]:
    """The names of the fields on the page that holds the form posting to ``url``."""
    response = client.get(url)
    if response.status_code != 200:
        return []
    return sorted(set(re.findall(r'name="([^"]+)"', response.get_data(as_text=True))))


@pytest.mark.parametrize(("url", "roles"), GET_ROUTES)
def test_get_routes_survive_hostile_query_parameters(
    client, login_as, users_by_role, objects, url, roles
):
    login_as(_user_for(roles, users_by_role, objects))
    target = fill(url, objects)
    ids = _ids(objects)
    names = _names(QUERY_NAMES + FORM_NAMES)

    @FUZZ
    @given(params=st.lists(st.tuples(names, _text_values(ids)), max_size=6))
    def probe(params):
        response = client.get(target, query_string=params)
        _check(response, "GET", url, params)

    probe()
    assert client.get(target).status_code < 500


@pytest.mark.parametrize(("url", "roles"), POST_ROUTES)
def test_post_routes_survive_hostile_form_fields_and_a_refusal_writes_nothing(
    client, login_as, users_by_role, objects, url, roles
):
    user = login_as(_user_for(roles, users_by_role, objects))
    target = fill(url, objects)
    ids = _ids(objects)
    own = _page_field_names(client, target) or _page_field_names(client, target.rsplit("/", 1)[0])
    names = st.one_of(
        st.sampled_from(own or FORM_NAMES),
        st.sampled_from(FORM_NAMES + _dynamic_names(objects)),
        st.text(min_size=1, max_size=12),
    )

    @FUZZ
    @given(fields=st.lists(st.tuples(names, _text_values(ids)), max_size=10))
    def probe(fields):
        login_as(user)  # a fuzzed logout or password change must not end the run
        before = _row_counts()
        response = client.post(target, data=MultiDict(fields))
        _check(response, "POST", url, fields)
        if response.status_code >= 400:
            assert _row_counts() == before, f"POST {url} refused {fields!r} but wrote rows"

    probe()
    assert _row_counts()


PUBLIC_URLS = [
    ("GET", "/auth/login"),
    ("POST", "/auth/login"),
    ("POST", "/language"),
    ("GET", "/healthz"),
    ("GET", "/verify/{code}"),
    ("GET", "/auth/forgot"),
    ("POST", "/auth/forgot"),
]


def test_the_public_url_list_names_public_endpoints(app):
    adapter = app.url_map.bind("localhost")
    for method, url in PUBLIC_URLS:
        endpoint, _ = adapter.match(url.replace("{code}", "ABC"), method=method)
        assert endpoint in PUBLIC_ENDPOINTS


@pytest.mark.parametrize(("method", "url"), PUBLIC_URLS)
def test_public_routes_survive_hostile_input_from_anonymous_visitors(client, student, method, url):
    factories.make_user(role="student", email="fuzz@example.org")
    db.session.commit()
    names = _names(QUERY_NAMES + FORM_NAMES)

    @FUZZ
    @given(
        code=_text_values([]),
        fields=st.lists(st.tuples(names, _text_values([student.email])), max_size=6),
    )
    def probe(code, fields):
        target = url.replace("{code}", re.sub(r"[/?#]", "", code) or "x")
        before = _row_counts()
        if method == "GET":
            response = client.get(target, query_string=fields)
        else:
            response = client.post(target, data=MultiDict(fields))
        _check(response, method, target, fields)
        if method == "POST" and response.status_code >= 400 and response.status_code != 429:
            assert _row_counts() == before

    probe()
    assert client.get("/healthz").status_code < 500


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | _text_values([]),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(_text_values([]), inner, max_size=4)
    ),
    max_leaves=10,
)


@FUZZ
@given(body=json_values)
def test_json_under_api_never_gives_a_5xx(client, body):
    response = client.post("/api/healthz", json=body)
    assert response.status_code < 500
