"""Admins add a framework from a TOML file in the browser; a malformed file is refused whole."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from wijklab.extensions import db
from wijklab.goals.models import FrameworkItem

GOOD = """
[framework]
code = "eigen-kader"
title = "Ons eigen kader"
level = "mbo"
source = "Eigen formulering voor de test"

[[items]]
code = "K1"
title = "Kerntaak een"
kind = "core_task"

[[items]]
code = "K1-W1"
title = "Werkproces een"
kind = "work_process"
parent = "K1"
"""


def upload(client, text: str, name: str = "kader.toml"):
    return client.post(
        "/frameworks",
        data={"file": (io.BytesIO(text.encode()), name)},
        content_type="multipart/form-data",
    )


def items() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(FrameworkItem.id)))


def test_admin_uploads_a_framework(client, login_as, admin):
    login_as(admin)
    response = upload(client, GOOD)
    assert response.status_code == 302
    assert items() == 2
    page = client.get("/frameworks").get_data(as_text=True)
    assert "eigen-kader" in page and "2 onderdelen" in page


def test_uploading_the_same_file_again_changes_nothing(client, login_as, admin):
    login_as(admin)
    upload(client, GOOD)
    response = upload(client, GOOD)
    assert response.status_code == 302
    assert "0 nieuw, 0 bijgewerkt, 2 ongewijzigd" in client.get("/frameworks").get_data(
        as_text=True
    )


def test_a_malformed_file_is_refused_whole_with_line_and_reason(client, login_as, admin):
    login_as(admin)
    broken = GOOD.replace('parent = "K1"', 'parent = "K9"')
    response = upload(client, broken)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "regel" in html and "K9" in html
    assert items() == 0


def test_a_file_that_is_not_utf8_is_refused(client, login_as, admin):
    login_as(admin)
    response = client.post(
        "/frameworks",
        data={"file": (io.BytesIO(b"\xff\xfe\x00 kapot"), "kader.toml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert items() == 0


def test_no_file_is_refused(client, login_as, admin):
    login_as(admin)
    assert client.post("/frameworks", data={}).status_code == 422
