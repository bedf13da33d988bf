"""Importing students from the school's list: reading CSV and xlsx, matching the columns, checking
every row, the dry run, all or nothing, idempotence, invitations, the pages and the command."""

from __future__ import annotations

import io
import os
import re
import stat
import time

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests import factories
from wijklab.accounts import importer
from wijklab.accounts.importer import ImportFileError, ImportRejected, ImportStore
from wijklab.accounts.models import Level, StudentProfile, User
from wijklab.accounts.passwords import has_usable_password
from wijklab.accounts.tokens import OneTimeToken, Purpose
from wijklab.activity.models import OutboxMessage
from wijklab.extensions import db

HEADER = "Studentnummer;Naam;E-mail;Niveau;Opleiding;Crebo;Leerjaar;Dagen;BPV-uren;Cohort"
ROW_ANNE = "1001;Anne de Wit;anne@example.org;mbo;Sociaal werk;25480;2;ma, di;400;2026"
ROW_BRAM = '1002;"Öztürk; Bram";bram@example.org;hbo;Social work;;3;"maandag;dinsdag";800;2025'


def csv_bytes(*rows: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode(encoding)


def xlsx_bytes(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def school():
    return factories.make_organisation("school", name="ROC Mondriaan")


@pytest.fixture
def import_dir(app, tmp_path):
    app.config["IMPORT_DIR"] = str(tmp_path / "imports")
    return tmp_path / "imports"


def plan(raw: bytes, school=None):
    upload = importer.read_upload(raw, "lijst.csv")
    return importer.plan_import(upload, importer.match_headers(upload.headers), school)


def apply(raw: bytes, school, by=None):
    upload = importer.read_upload(raw, "lijst.csv")
    return importer.apply_import(upload, importer.match_headers(upload.headers), school, by=by)


def student_count() -> int:
    return db.session.scalar(select(func.count(StudentProfile.id)))


def by_number(number: str) -> User | None:
    return db.session.scalars(
        select(User)
        .join(StudentProfile, StudentProfile.user_id == User.id)
        .where(StudentProfile.student_number == number)
    ).first()


def errors_of(result, number: int) -> list[str]:
    [row] = [r for r in result.rows if r.number == number]
    return [f"{label}: {message}" for label, message in row.errors]


# --- reading files ----------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_csv_with_semicolons_and_a_quoted_semicolon_is_read_in_each_encoding(app, encoding):
    upload = importer.read_upload(csv_bytes(ROW_ANNE, ROW_BRAM, encoding=encoding))
    assert upload.headers[0] == "Studentnummer"
    assert upload.rows[1][1] == "Öztürk; Bram"
    assert upload.rows[1][7] == "maandag;dinsdag"
    assert len(upload.rows) == 2


def test_comma_separated_csv_is_sniffed(app):
    upload = importer.read_upload(b"student number,name,email\r\n7,Ayse,a@example.org\r\n")
    assert upload.rows == [["7", "Ayse", "a@example.org"]]
    assert importer.match_headers(upload.headers) == {
        0: "student_number",
        1: "name",
        2: "email",
    }


def test_xlsx_is_read_with_numbers_as_text(app):
    raw = xlsx_bytes(
        [
            ["Student number", "First name", "Last name", "Email", "Year"],
            [1003, "Ayşe", "Yılmaz", "ayse@example.org", 2],
        ]
    )
    upload = importer.read_upload(raw, "lijst.xlsx")
    assert upload.rows == [["1003", "Ayşe", "Yılmaz", "ayse@example.org", "2"]]
    assert set(importer.match_headers(upload.headers).values()) == {
        "student_number",
        "first_name",
        "last_name",
        "email",
        "study_year",
    }


def test_dutch_and_english_headers_are_matched():
    dutch = ["Studentnummer", "Naam", "E-mailadres", "School", "Niveau", "Opleiding", "Crebo",
             "Leerjaar", "Beschikbare dagen", "BPV-uren", "Cohort"]  # fmt: skip
    english = ["Student number", "Name", "Email", "School", "Level", "Programme", "Crebo",
               "Year", "Weekdays", "Agreed hours", "Cohort"]  # fmt: skip
    expected = ["student_number", "name", "email", "school", "level", "programme", "crebo",
                "study_year", "weekdays", "agreed_bpv_hours", "cohort"]  # fmt: skip
    for headers in (dutch, english):
        assert list(importer.match_headers(headers).values()) == expected


@pytest.mark.parametrize(
    "raw, message",
    [
        (b"", "leeg"),
        (b"   \r\n", "leeg"),
        (b"Studentnummer;Naam;E-mail\r\n", "geen studenten"),
        (b"%PDF-1.4\x00\x01\x02binary", "geen CSV"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1oldexcel", "oude Excel"),
        (b"PK\x03\x04not really a zip", "geen leesbaar Excel"),
        ("Studentnummer;Naam\r\n1;Anne".encode("utf-16"), "UTF-16"),
        (b"Studentnummer;Naam\r\n1;\x81\x8d\x8f\r\n", "niet te lezen"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_a_message(app, raw, message):
    with pytest.raises(ImportFileError) as caught:
        importer.read_upload(raw)
    assert message in str(caught.value.message)


def test_a_file_over_5_mb_is_refused(app):
    with pytest.raises(ImportFileError) as caught:
        importer.read_upload(b"a" * (importer.MAX_FILE_BYTES + 1))
    assert "5 MB" in str(caught.value.message)


def test_more_than_50000_rows_is_refused_quickly(app):
    raw = ("n;naam;email\n" + "1;a;a@example.org\n" * (importer.MAX_ROWS + 1)).encode()
    started = time.monotonic()
    with pytest.raises(ImportFileError) as caught:
        importer.read_upload(raw)
    assert "Te veel rijen" in str(caught.value.message) and "50.000" in str(caught.value.message)
    assert time.monotonic() - started < 5


def test_formulas_in_xlsx_are_refused_per_cell_and_never_evaluated(app, school):
    raw = xlsx_bytes(
        [
            ["Studentnummer", "Naam", "E-mail", "Niveau", "Leerjaar"],
            [1001, "Anne", '=HYPERLINK("http://x")', "mbo", 2],
            [1002, "Bram", "bram@example.org", "hbo", "=1+1"],
        ]
    )
    upload = importer.read_upload(raw, "lijst.xlsx")
    assert upload.formula_cells == [(0, 2), (1, 4)]
    result = importer.plan_import(upload, importer.match_headers(upload.headers), school)
    assert any("formule" in e for e in errors_of(result, 2))
    assert any("Leerjaar" in e and "formule" in e for e in errors_of(result, 3))


def test_a_formula_looking_name_or_email_in_csv_is_an_error(app, school):
    result = plan(
        csv_bytes(
            "1001;=cmd|' /C calc'!A0;anne@example.org;mbo;;;2;;;",
            "1002;Bram;=1+1;hbo;;;3;;;",
        ),
        school,
    )
    assert any("formule" in e for e in errors_of(result, 2))
    assert any("formule" in e for e in errors_of(result, 3))


# --- checking rows ------------------------------------------------------------------------------


def test_each_bad_value_gets_a_message_tied_to_its_row_and_column(app, school):
    result = plan(
        csv_bytes(
            "1001;Anne;geen-adres;mbo;;;2;;;",
            "1002;Bram;bram@example.org;wo;;;2;;;",
            "1003;Cas;cas@example.org;mbo;;;7;;;",
            "1004;Dewi;dewi@example.org;hbo;;25480;2;;;",
            "1005;Eva;eva@example.org;mbo;;2548;2;;;",
            "1006;Fenna;fenna@example.org;mbo;;;2;ma, feestdag;;",
            "1007;Gijs;gijs@example.org;mbo;;;2;;9000;",
        ),
        school,
    )
    assert errors_of(result, 2) == ["E-mailadres: Dit is geen geldig e-mailadres."]
    assert errors_of(result, 3) == ["Niveau: Het niveau is mbo of hbo."]
    assert errors_of(result, 4) == ["Leerjaar: Het leerjaar is 1, 2, 3 of 4."]
    assert errors_of(result, 5) == ["Crebo: Een crebonummer hoort alleen bij mbo."]
    assert errors_of(result, 6) == ["Crebo: Een crebonummer bestaat uit vijf cijfers."]
    assert errors_of(result, 7)[0].startswith("Beschikbare dagen: Onbekende dag")
    assert errors_of(result, 8) == ["BPV-uren: BPV-uren: een heel getal van 0 tot en met 2000."]
    assert result.counts["error"] == 7


def test_unknown_school_and_missing_school_are_errors(app, school):
    header = "Studentnummer;Naam;E-mail;School;Niveau;Leerjaar"
    result = plan(
        csv_bytes(
            "1;Anne;anne@example.org;roc mondriaan;mbo;2",
            "2;Bram;bram@example.org;Hogeschool Nergens;hbo;2",
            "3;Cas;cas@example.org;;hbo;2",
            header=header,
        ),
        None,
    )
    assert errors_of(result, 2) == []
    assert errors_of(result, 3) == ["School: Onbekende school: Hogeschool Nergens."]
    assert errors_of(result, 4) == ["School: Geen school: kies een school bij het importeren."]


def test_a_student_number_in_two_rows_is_an_error(app, school):
    result = plan(csv_bytes(ROW_ANNE, ROW_ANNE.replace("anne@", "anne2@")), school)
    assert errors_of(result, 3) == ["Studentnummer: Studentnummer 1001 staat ook in rij 2."]


def test_an_email_of_a_supervisor_is_an_error(app, school):
    factories.make_supervisor(email="anne@example.org")
    result = plan(csv_bytes(ROW_ANNE), school)
    assert errors_of(result, 2)[0].startswith(
        "E-mailadres: Dit e-mailadres hoort al bij een account dat geen student is"
    )


def test_an_email_of_another_student_is_an_error(app, school):
    other = factories.make_student(email="anne@example.org", school=school)
    other.student_profile.student_number = "9999"
    result = plan(csv_bytes(ROW_ANNE), school)
    assert errors_of(result, 2) == [
        "E-mailadres: Dit e-mailadres hoort al bij een andere student (studentnummer 9999)."
    ]


def test_a_name_that_differs_from_the_existing_record_is_an_error(app, school):
    existing = factories.make_student(name="Anne Jansen", school=school)
    existing.student_profile.student_number = "1001"
    result = plan(csv_bytes(ROW_ANNE), school)
    assert errors_of(result, 2)[0].startswith("Naam: Naam wijkt af")
    assert "Anne Jansen" in errors_of(result, 2)[0]


def test_a_file_with_unknown_headers_needs_a_mapping(app):
    upload = importer.read_upload(b"Nr;Wie;Adres\r\n1;Anne;anne@example.org\r\n")
    assert upload.unknown_headers == [0, 1, 2]
    assert importer.mapping_problems(importer.match_headers(upload.headers))
    assert importer.mapping_problems({0: "student_number", 1: "name", 2: "email"}) == []
    assert importer.mapping_problems({0: "student_number", 1: "email", 2: "email"})


# --- dry run, apply, idempotence --------------------------------------------------------------


def test_the_dry_run_writes_nothing(app, school):
    before = db.session.scalar(select(func.count(User.id)))
    result = plan(csv_bytes(ROW_ANNE, ROW_BRAM), school)
    assert result.counts == {"create": 2, "update": 0, "unchanged": 0, "error": 0}
    db.session.rollback()
    assert db.session.scalar(select(func.count(User.id))) == before


def test_apply_creates_students_and_invites_them(app, school, admin):
    result = apply(csv_bytes(ROW_ANNE, ROW_BRAM), school, by=admin)
    db.session.commit()
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    anne = by_number("1001")
    profile = anne.student_profile
    assert (anne.name, anne.email, profile.level, profile.study_year) == (
        "Anne de Wit", "anne@example.org", Level.MBO, 2
    )  # fmt: skip
    assert (profile.crebo, profile.available_weekdays, profile.agreed_bpv_hours) == (
        "25480", frozenset({0, 1}), 400
    )  # fmt: skip
    assert profile.school_id == school.id and profile.cohort == "2026"
    bram = by_number("1002")
    assert bram.name == "Öztürk; Bram" and bram.student_profile.available_weekdays == {0, 1}
    assert not has_usable_password(anne.password_hash)
    invitations = db.session.scalars(
        select(OneTimeToken).where(OneTimeToken.purpose == Purpose.INVITATION)
    ).all()
    assert {t.user_id for t in invitations} == {anne.id, bram.id}
    mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "invitation"))
    assert {m.to_address for m in mails} == {"anne@example.org", "bram@example.org"}
    assert [name for name, _email, _token in result.invitations] == ["Anne de Wit", "Öztürk; Bram"]


def test_one_bad_row_and_nothing_is_written(app, school):
    before = student_count()
    with pytest.raises(ImportRejected):
        apply(csv_bytes(ROW_ANNE, "1002;Bram;geen-adres;hbo;;;3;;;"), school)
    db.session.rollback()
    assert student_count() == before
    assert by_number("1001") is None


def test_importing_the_same_file_twice_changes_nothing_the_second_time(app, school):
    raw = csv_bytes(ROW_ANNE, ROW_BRAM)
    apply(raw, school)
    db.session.commit()
    tokens_before = db.session.scalar(select(func.count(OneTimeToken.id)))
    second = apply(raw, school)
    db.session.commit()
    assert (second.created, second.updated, second.unchanged) == (0, 0, 2)
    assert db.session.scalar(select(func.count(OneTimeToken.id))) == tokens_before


def test_a_changed_row_updates_and_says_what_changed(app, school):
    apply(csv_bytes(ROW_ANNE), school)
    db.session.commit()
    changed = ROW_ANNE.replace(";2;ma, di;400;", ";3;ma, di, wo;420;")
    result = plan(csv_bytes(changed), school)
    [row] = result.rows
    assert row.action == "update"
    assert [(c.field, c.old, c.new) for c in row.changes] == [
        ("study_year", "2", "3"),
        ("weekdays", "ma, di", "ma, di, wo"),
        ("agreed_bpv_hours", "400", "420"),
    ]
    apply(csv_bytes(changed), school)
    db.session.commit()
    profile = by_number("1001").student_profile
    assert (profile.study_year, profile.agreed_bpv_hours) == (3, 420)


def test_students_not_in_the_file_are_listed_and_never_deleted(app, school):
    gone = factories.make_student(name="Jesse de Groot", school=school)
    gone.student_profile.student_number = "0999"
    without_number = factories.make_student(name="Zonder Nummer", school=school)
    result = plan(csv_bytes(ROW_ANNE), school)
    assert [u.name for u in result.missing] == ["Jesse de Groot"]
    apply(csv_bytes(ROW_ANNE), school)
    db.session.commit()
    assert db.session.get(User, gone.id).is_active
    assert db.session.get(User, without_number.id) is not None


def test_the_plan_needs_a_constant_number_of_queries(app, school):
    from tests.test_query_counts import queries

    rows_small = [f"{n};Student {n};s{n}@example.org;mbo;;;2;;;" for n in range(5)]
    rows_large = [f"{n};Student {n};s{n}@example.org;mbo;;;2;;;" for n in range(60)]
    with queries() as small:
        plan(csv_bytes(*rows_small), school)
    with queries() as large:
        plan(csv_bytes(*rows_large), school)
    assert len(large) == len(small)


# --- the stored upload ------------------------------------------------------------------------


def test_a_stored_upload_is_owner_only_bound_to_its_user_and_gone_after_a_day(
    app, import_dir, admin, wijkdocent, clock
):
    store = ImportStore(import_dir)
    stored = store.create(admin, importer.read_upload(csv_bytes(ROW_ANNE)), None)
    path = import_dir / f"{stored.token}.json"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert store.load(stored.token, admin).upload.rows == stored.upload.rows
    assert store.load(stored.token, wijkdocent) is None
    assert store.load("../../etc/passwd", admin) is None
    clock.advance(hours=25)
    assert store.load(stored.token, admin) is None
    assert not path.exists()


# --- the pages ----------------------------------------------------------------------------------


def upload_file(client, raw: bytes, school=None, filename="lijst.csv", **fields):
    # Encoded in memory: the test client would spool a large body to a file it never closes.
    values = {"file": FileStorage(io.BytesIO(raw), filename=filename), **fields}
    if school is not None:
        values["school_id"] = str(school.id)
    boundary, body = encode_multipart(values)
    return client.post(
        "/users/import", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def token_of(response) -> str:
    return re.search(r"/users/import/([A-Za-z0-9_-]{32})", response.headers["Location"]).group(1)


def test_upload_then_preview_shows_the_plan_and_writes_nothing(
    app, client, login_as, wijkdocent, school, import_dir
):
    login_as(wijkdocent)
    before = student_count()
    response = upload_file(client, csv_bytes(ROW_ANNE, ROW_BRAM), school)
    assert response.status_code == 302
    token = token_of(response)
    assert response.headers["Location"].endswith(f"/users/import/{token}")
    html = client.get(f"/users/import/{token}").get_data(as_text=True)
    assert "Anne de Wit" in html and "Öztürk; Bram" in html
    assert "Import bevestigen" in html and f'value="{token}"' in html
    assert student_count() == before


def test_preview_lists_errors_per_row_and_offers_no_confirm(
    app, client, login_as, wijkdocent, school, import_dir
):
    factories.make_supervisor(email="bram@example.org")
    login_as(wijkdocent)
    token = token_of(upload_file(client, csv_bytes(ROW_ANNE, ROW_BRAM), school))
    html = client.get(f"/users/import/{token}?errors=1").get_data(as_text=True)
    assert "geen student is" in html
    assert "Import bevestigen" not in html
    assert "Anne de Wit" not in html  # only the rows with errors


def test_a_bad_file_is_refused_on_the_form_and_nothing_is_stored(
    app, client, login_as, admin, import_dir
):
    login_as(admin)
    response = upload_file(client, b"%PDF-1.4\x00\x00", filename="lijst.csv")
    assert response.status_code == 422
    assert "geen CSV- of Excel-bestand" in response.get_data(as_text=True)
    assert not import_dir.exists() or not list(import_dir.iterdir())


def test_an_xlsx_upload_is_checked_by_content(app, client, login_as, admin, school, import_dir):
    login_as(admin)
    raw = xlsx_bytes([["Studentnummer", "Naam", "E-mail", "Niveau", "Leerjaar"],
                      [1001, "Anne", "anne@example.org", "mbo", 2]])  # fmt: skip
    response = upload_file(client, raw, school, filename="export.bin")
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Anne" in html and "nieuw" in html


def test_unknown_headers_lead_to_the_mapping_step(
    app, client, login_as, wijkdocent, school, import_dir
):
    login_as(wijkdocent)
    raw = b"Nr;Wie;Adres;Soort;Klas\r\n1001;Anne;anne@example.org;mbo;2\r\n"
    response = upload_file(client, raw, school)
    token = token_of(response)
    assert response.headers["Location"].endswith(f"/users/import/{token}/columns")
    assert "Kolommen koppelen" in client.get(f"/users/import/{token}/columns").get_data(
        as_text=True
    )
    incomplete = {"column_0": "student_number", "column_1": "name", "column_2": "ignore",
                  "column_3": "level", "column_4": "study_year"}  # fmt: skip
    response = client.post(f"/users/import/{token}/columns", data=incomplete)
    assert response.status_code == 422
    assert "Kies een kolom voor E-mailadres" in response.get_data(as_text=True)
    response = client.post(
        f"/users/import/{token}/columns", data={**incomplete, "column_2": "email"}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/users/import/{token}")
    assert "anne@example.org" in client.get(f"/users/import/{token}").get_data(as_text=True)


def test_confirm_applies_shows_the_result_and_the_printable_links(
    app, client, login_as, wijkdocent, school, import_dir
):
    login_as(wijkdocent)
    token = token_of(upload_file(client, csv_bytes(ROW_ANNE, ROW_BRAM), school))
    response = client.post("/users/import/apply", data={"token": token})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/users/import/{token}/result")
    assert by_number("1001") is not None and by_number("1002") is not None
    html = client.get(f"/users/import/{token}/result").get_data(as_text=True)
    assert "Afdrukbare lijst" in html
    links = client.get(f"/users/import/{token}/links")
    assert links.headers["Cache-Control"] == "no-store"
    welcome = re.findall(r"http://localhost/auth/welcome/[A-Za-z0-9_-]+", links.get_data(True))
    assert len(welcome) == 2
    # The parsed file is gone; a second confirm does nothing more.
    assert '"rows": []' in (import_dir / f"{token}.json").read_text()
    client.post("/users/import/apply", data={"token": token})
    assert student_count() == 2
    # A printed link works: the student chooses a password.
    page = client.get(welcome[0].removeprefix("http://localhost"))
    assert page.status_code == 200


def test_confirm_with_an_error_row_writes_nothing(
    app, client, login_as, wijkdocent, school, import_dir
):
    login_as(wijkdocent)
    token = token_of(upload_file(client, csv_bytes(ROW_ANNE, "1002;Bram;x;hbo;;;3;;;"), school))
    response = client.post("/users/import/apply", data={"token": token}, follow_redirects=True)
    assert "er is niets geïmporteerd" in response.get_data(as_text=True)
    assert student_count() == 0


IMPORT_PAGES = ["", "/columns", "/result", "/links"]


@pytest.mark.parametrize("suffix", IMPORT_PAGES)
def test_another_users_token_is_not_found(
    app, client, login_as, admin, wijkdocent, school, import_dir, suffix
):
    token = ImportStore(import_dir).create(admin, importer.read_upload(csv_bytes(ROW_ANNE)), None)
    login_as(wijkdocent)
    assert client.get(f"/users/import/{token.token}{suffix}").status_code == 404
    response = client.post("/users/import/apply", data={"token": token.token})
    assert response.status_code == 404
    assert student_count() == 0


def test_an_unknown_token_is_not_found(app, client, login_as, admin, import_dir):
    login_as(admin)
    assert client.get("/users/import/" + "x" * 32).status_code == 404
    assert client.post("/users/import/apply", data={"token": "../secret"}).status_code == 404


@pytest.mark.parametrize("suffix", ["", *[f"/{'a' * 32}{s}" for s in IMPORT_PAGES]])
def test_anonymous_visitors_go_to_the_login_page(app, client, suffix):
    response = client.get(f"/users/import{suffix}")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["student", "supervisor"])
@pytest.mark.parametrize(
    "method, path",
    [("get", "/users/import"), ("post", "/users/import"), ("get", f"/users/import/{'a' * 32}"),
     ("get", f"/users/import/{'a' * 32}/columns"), ("post", "/users/import/apply"),
     ("get", f"/users/import/{'a' * 32}/result"), ("get", f"/users/import/{'a' * 32}/links")],
)  # fmt: skip
def test_students_and_supervisors_may_not_import(
    app, client, login_as, users_by_role, role, method, path, import_dir
):
    login_as(users_by_role[role])
    assert getattr(client, method)(path).status_code == 403


@pytest.mark.parametrize("role", ["admin", "wijkdocent"])
def test_admins_and_wijkdocenten_see_the_upload_form(app, client, login_as, users_by_role, role):
    login_as(users_by_role[role])
    response = client.get("/users/import")
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in response.get_data(as_text=True)


def test_the_users_page_and_the_dashboard_link_to_the_import(
    app, client, login_as, admin, wijkdocent
):
    login_as(admin)
    assert "/users/import" in client.get("/users").get_data(as_text=True)
    login_as(wijkdocent)
    assert "/users/import" in client.get("/").get_data(as_text=True)


def test_posts_without_csrf_token_are_refused(
    csrf_app, client, login_as, admin, school, import_dir
):
    login_as(admin)
    assert upload_file(client, csv_bytes(ROW_ANNE), school).status_code == 400
    stored = ImportStore(import_dir).create(admin, importer.read_upload(csv_bytes(ROW_ANNE)), None)
    assert client.post("/users/import/apply", data={"token": stored.token}).status_code == 400
    columns = client.post(f"/users/import/{stored.token}/columns", data={"column_0": "name"})
    assert columns.status_code == 400
    assert student_count() == 0


def test_the_upload_with_csrf_works_end_to_end(
    csrf_app, client, login_as, admin, school, import_dir
):
    login_as(admin)
    html = client.get("/users/import").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    response = upload_file(client, csv_bytes(ROW_ANNE), school, csrf_token=csrf)
    token = token_of(response)
    html = client.get(f"/users/import/{token}").get_data(as_text=True)
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html))
    assert fields["token"] == token
    response = client.post("/users/import/apply", data=fields)
    assert response.status_code == 302
    assert by_number("1001") is not None


def test_a_file_between_2_and_5_mb_is_accepted_by_the_upload(
    app, client, login_as, admin, school, import_dir
):
    login_as(admin)
    padding = "x" * 150
    rows = [f"{n};Student {n};s{n}@example.org;mbo;{padding};;2;;;" for n in range(16000)]
    raw = csv_bytes(*rows)
    assert 2 * 1024 * 1024 < len(raw) < importer.MAX_FILE_BYTES
    response = upload_file(client, raw, school)
    assert response.status_code == 302


# --- the command line ---------------------------------------------------------------------------


def run_cli(app, tmp_path, raw: bytes, *options: str):
    path = tmp_path / "lijst.csv"
    path.write_bytes(raw)
    db.session.commit()
    return app.test_cli_runner().invoke(
        args=["import-students", str(path), "--school", "roc mondriaan", *options]
    )


def test_cli_dry_run_prints_the_plan_and_writes_nothing(app, tmp_path, school):
    result = run_cli(app, tmp_path, csv_bytes(ROW_ANNE, ROW_BRAM), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "rij 2: nieuw 1001 Anne de Wit" in result.output
    assert "Proefdraai: 2 nieuw" in result.output
    assert student_count() == 0


def test_cli_applies_and_a_second_run_changes_nothing(app, tmp_path, school):
    result = run_cli(app, tmp_path, csv_bytes(ROW_ANNE, ROW_BRAM))
    assert result.exit_code == 0, result.output
    assert student_count() == 2
    again = run_cli(app, tmp_path, csv_bytes(ROW_ANNE, ROW_BRAM))
    assert again.exit_code == 0 and "0 nieuw" in again.output and "2 ongewijzigd" in again.output


def test_cli_exits_non_zero_with_the_errors_per_row_and_writes_nothing(app, tmp_path, school):
    result = run_cli(app, tmp_path, csv_bytes(ROW_ANNE, ROW_ANNE.replace("anne@", "a2@")))
    assert result.exit_code == 1
    assert "Studentnummer 1001 staat ook in rij 2" in result.output
    assert "niets geïmporteerd" in result.output
    assert student_count() == 0


def test_cli_refuses_an_unknown_school_and_an_unreadable_file(app, tmp_path, school):
    path = tmp_path / "lijst.csv"
    path.write_bytes(csv_bytes(ROW_ANNE))
    result = app.test_cli_runner().invoke(
        args=["import-students", str(path), "--school", "Nergens"]
    )
    assert result.exit_code == 1 and "Onbekende school" in result.output
    result = run_cli(app, tmp_path, b"")
    assert result.exit_code == 1 and "leeg" in result.output


def test_an_upload_of_50001_rows_gets_the_too_many_rows_message(
    app, client, login_as, admin, school, import_dir
):
    login_as(admin)
    raw = ("n;naam;email\n" + "1;a;a@example.org\n" * (importer.MAX_ROWS + 1)).encode()
    response = upload_file(client, raw, school)
    assert response.status_code == 422
    assert "Te veel rijen" in response.get_data(as_text=True)
    assert student_count() == 0
