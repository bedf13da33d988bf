"""Start agreements through the test client: drawing one from the brief and the profile,
accepting by all three, a change that shows what changed and asks again, the profile's hours
replaced, bad input, stale versions, read-only after leaving, and the PDF."""

from __future__ import annotations

import io
import json
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from tests.agreements.conftest import FOCUSES, agreement_url, form_data
from wijklab.activity.models import AuditEvent, Notification
from wijklab.agreements import services
from wijklab.agreements.models import AgreementAcceptance, Party, StartAgreement
from wijklab.extensions import db

PARTY_OF = {"zoe": Party.STUDENT, "supervisor": Party.SUPERVISOR, "wijkdocent": Party.WIJKDOCENT}


def flat(html: str) -> str:
    """The page text without tags, with white space collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def the_agreement() -> StartAgreement | None:
    db.session.expire_all()
    return db.session.scalar(select(StartAgreement))


def acceptances() -> list[AgreementAcceptance]:
    return list(db.session.scalars(select(AgreementAcceptance).order_by(AgreementAcceptance.id)))


def notifications(user, kind: str) -> int:
    return db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.user_id == user.id, Notification.kind == kind
        )
    )


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def draw(client, login_as, lab, by="zoe", **changes):
    login_as(lab[by])
    response = client.post(agreement_url(lab), data=form_data(**changes))
    assert response.status_code == 302, flat(response.get_data(as_text=True))
    return the_agreement()


def accept(client, login_as, lab, by, version=None):
    login_as(lab[by])
    agreement = the_agreement()
    return client.post(
        agreement_url(lab, suffix="/accept"),
        data={"version": str(version if version is not None else agreement.version)},
    )


def accept_by_all(client, login_as, lab):
    for who in ("zoe", "supervisor", "wijkdocent"):
        assert accept(client, login_as, lab, who).status_code == 302
    return the_agreement()


# --- drawing -------------------------------------------------------------------------------


def test_the_form_is_prefilled_from_the_brief_and_the_profile(lab, client, login_as):
    login_as(lab["zoe"])
    response = client.get(agreement_url(lab))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    # Zoë's days (Monday to Wednesday) that the lab runs (Tuesday to Thursday).
    checked = re.findall(
        r'<input[^>]*checked[^>]*value="(\d)"|<input[^>]*value="(\d)"[^>]*checked', html
    )
    assert sorted(a or b for a, b in checked) == ["1", "2"]
    assert re.search(r'name="hours_per_week"[^>]*value="16"', html)
    assert re.search(r'name="agreed_bpv_hours"[^>]*value="400"', html)
    assert the_agreement() is None


@pytest.mark.parametrize("by", ["zoe", "supervisor", "wijkdocent", "admin"])
def test_each_party_and_an_admin_draws_the_agreement(lab, client, login_as, by):
    agreement = draw(client, login_as, lab, by=by)
    assert agreement.version == 1
    assert agreement.hours_per_week == 12
    assert agreement.agreed_bpv_hours == 480
    assert agreement.weekdays == frozenset({1, 2})
    assert agreement.learning_focuses == FOCUSES
    assert agreement.accepted_at is None
    assert agreement.updated_by_id == lab[by].id
    brief = json.loads(agreement.brief)
    assert brief["summary"] == "Een buurtkamer waar bewoners elkaar ontmoeten."
    assert brief["weekdays"] == [1, 2, 3]
    assert brief["hours_per_week"] == 12
    assert "agreement.drawn" in actions()


def test_drawing_asks_the_other_two_parties(lab, client, login_as):
    draw(client, login_as, lab, by="zoe")
    assert notifications(lab["zoe"], "agreement_waiting") == 0
    assert notifications(lab["supervisor"], "agreement_waiting") == 1
    assert notifications(lab["wijkdocent"], "agreement_waiting") == 1


def test_the_page_shows_the_brief_the_part_and_who_still_has_to_accept(lab, client, login_as):
    draw(client, login_as, lab)
    login_as(lab["supervisor"])
    text = flat(client.get(agreement_url(lab)).get_data(as_text=True))
    assert "Een buurtkamer waar bewoners elkaar ontmoeten." in text
    assert "Gesprekken voeren met bewoners" in text
    assert "Jan Bakker (coördinator), 06-12345678" in text
    assert "wacht op akkoord van student, werkbegeleider, wijkdocent" in text
    assert "Ik ga akkoord met versie 1" in text


# --- accepting -----------------------------------------------------------------------------


def test_accepting_records_who_and_when_per_party(lab, client, login_as):
    draw(client, login_as, lab)
    response = accept(client, login_as, lab, "supervisor")
    assert response.status_code == 302
    (row,) = acceptances()
    assert (row.party, row.user_id, row.version) == (Party.SUPERVISOR, lab["supervisor"].id, 1)
    assert row.accepted_at is not None
    assert the_agreement().accepted_at is None
    assert services.accepted_agreement(lab["team"].id, lab["zoe"].id) is None


def test_accepting_twice_changes_nothing(lab, client, login_as):
    draw(client, login_as, lab)
    accept(client, login_as, lab, "zoe")
    response = accept(client, login_as, lab, "zoe")
    assert response.status_code == 302
    assert len(acceptances()) == 1
    assert actions().count("agreement.accepted") == 1


def test_the_third_acceptance_accepts_and_replaces_the_profile_hours(lab, client, login_as):
    draw(client, login_as, lab)
    agreement = accept_by_all(client, login_as, lab)
    assert agreement.accepted_at is not None
    assert json.loads(agreement.accepted_content)["hours_per_week"] == 12
    profile = lab["zoe"].student_profile
    db.session.refresh(profile)
    assert (profile.hours_per_week, profile.agreed_bpv_hours) == (12, 480)
    assert "agreement.completed" in actions()
    assert "agreement.profile_hours" in actions()
    for who in ("zoe", "supervisor", "wijkdocent"):
        assert notifications(lab[who], "agreement_accepted") == 1
    accepted = services.accepted_agreement(lab["team"].id, lab["zoe"].id)
    assert accepted is not None and accepted.agreed_bpv_hours == 480


def test_the_profile_is_left_alone_when_the_hours_are_the_same(lab, client, login_as):
    draw(client, login_as, lab, hours_per_week="16", agreed_bpv_hours="400")
    accept_by_all(client, login_as, lab)
    assert "agreement.profile_hours" not in actions()


def test_an_admin_cannot_accept_on_someones_behalf(lab, client, login_as):
    draw(client, login_as, lab)
    response = accept(client, login_as, lab, "admin")
    assert response.status_code == 403
    assert acceptances() == []


# --- changing ------------------------------------------------------------------------------


def change(client, login_as, lab, by="supervisor", **changes):
    login_as(lab[by])
    agreement = the_agreement()
    return client.post(
        agreement_url(lab), data=form_data(version=str(agreement.version), **changes)
    )


def test_a_change_after_acceptance_asks_all_three_again_and_shows_what_changed(
    lab, client, login_as
):
    draw(client, login_as, lab)
    accept_by_all(client, login_as, lab)
    response = change(client, login_as, lab, hours_per_week="10")
    assert response.status_code == 302
    agreement = the_agreement()
    assert agreement.version == 2
    assert agreement.accepted_at is None
    assert json.loads(agreement.accepted_content)["hours_per_week"] == 12  # kept for the diff
    assert services.diff(agreement) == [("Uren per week", "12", "10")]
    assert services.accepted_agreement(lab["team"].id, lab["zoe"].id) is None
    assert notifications(lab["zoe"], "agreement_changed") == 1
    assert notifications(lab["supervisor"], "agreement_changed") == 0
    login_as(lab["zoe"])
    text = flat(client.get(agreement_url(lab)).get_data(as_text=True))
    assert "Wat is er veranderd sinds het laatste akkoord" in text
    assert "Uren per week 12 10" in text
    assert "wacht op akkoord van student, werkbegeleider, wijkdocent" in text
    assert "Ik ga akkoord met versie 2" in text


def test_accepting_the_changed_version_by_all_accepts_it_again(lab, client, login_as):
    draw(client, login_as, lab)
    accept_by_all(client, login_as, lab)
    change(client, login_as, lab, agreed_bpv_hours="520")
    agreement = accept_by_all(client, login_as, lab)
    assert agreement.accepted_at is not None
    assert services.diff(agreement) == []
    db.session.refresh(lab["zoe"].student_profile)
    assert lab["zoe"].student_profile.agreed_bpv_hours == 520
    assert len(acceptances()) == 6


def test_saving_without_a_change_keeps_the_version_and_the_acceptance(lab, client, login_as):
    draw(client, login_as, lab)
    accept_by_all(client, login_as, lab)
    response = change(client, login_as, lab)
    assert response.status_code == 302
    agreement = the_agreement()
    assert agreement.version == 1 and agreement.accepted_at is not None
    login_as(lab["zoe"])
    assert "Er is niets gewijzigd." in client.get(agreement_url(lab)).get_data(as_text=True)


def test_a_change_on_a_stale_version_is_refused_and_changes_nothing(lab, client, login_as):
    draw(client, login_as, lab)
    change(client, login_as, lab, hours_per_week="10")
    login_as(lab["wijkdocent"])
    response = client.post(agreement_url(lab), data=form_data(version="1", hours_per_week="8"))
    assert response.status_code == 409
    assert "intussen gewijzigd" in response.get_data(as_text=True)
    # what was typed is still in the form
    assert 'value="8"' in response.get_data(as_text=True)
    agreement = the_agreement()
    assert (agreement.version, agreement.hours_per_week) == (2, 10)


def test_accepting_a_version_that_changed_meanwhile_is_refused(lab, client, login_as):
    draw(client, login_as, lab)
    change(client, login_as, lab, hours_per_week="10")
    response = accept(client, login_as, lab, "zoe", version=1)
    assert response.status_code == 303
    assert acceptances() == []
    page = client.get(agreement_url(lab)).get_data(as_text=True)
    assert "Iemand heeft de startafspraak intussen gewijzigd" in page


def test_the_change_form_is_prefilled_with_the_agreement(lab, client, login_as):
    draw(client, login_as, lab, hours_per_week="14")
    login_as(lab["wijkdocent"])
    html = client.get(agreement_url(lab) + "?edit=1").get_data(as_text=True)
    assert 'value="14"' in html
    assert re.search(r'name="version"[^>]*value="1"|value="1"[^>]*name="version"', html)


# --- bad input -----------------------------------------------------------------------------

LONG = "x" * 201


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"hours_per_week": "41"}, "Kies 0 tot en met 40 uur."),
        ({"hours_per_week": "-1"}, "Kies 0 tot en met 40 uur."),
        ({"hours_per_week": "twaalf"}, "Ongeldig getal."),
        ({"hours_per_week": ""}, "Vul een heel aantal uren in."),
        ({"agreed_bpv_hours": "2001"}, "Kies 0 tot en met 2000 uur."),
        ({"learning_focuses": "Alleen één leerfocus"}, "twee of drie leerfocussen"),
        ({"learning_focuses": "een\ntwee\ndrie\nvier"}, "twee of drie leerfocussen"),
        ({"learning_focuses": f"een\n{LONG}"}, "Een leerfocus is hoogstens 200 tekens."),
        ({"supervision_form": LONG}, "200"),
        ({"supervision_frequency": "x" * 101}, "100"),
        ({"backup_contact": ""}, "Dit veld is verplicht."),
        ({"weekdays": []}, "Kies minstens één dag."),
        ({"weekdays": ["9"]}, ""),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_is_saved(
    lab, client, login_as, changes, message
):
    login_as(lab["zoe"])
    response = client.post(agreement_url(lab), data=form_data(**changes))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert 'class="error"' in html
    # what was typed stays
    kept = "supervision_frequency" if "backup_contact" in changes else "backup_contact"
    assert form_data(**changes)[kept] in html
    assert the_agreement() is None


def test_a_bad_change_keeps_the_agreement_as_it_was(lab, client, login_as):
    draw(client, login_as, lab)
    response = change(client, login_as, lab, agreed_bpv_hours="99999")
    assert response.status_code == 422
    agreement = the_agreement()
    assert (agreement.version, agreement.agreed_bpv_hours) == (1, 480)


# --- read-only after leaving ---------------------------------------------------------------


def test_an_agreement_of_a_student_who_left_is_read_only(lab, client, login_as, clock):
    draw(client, login_as, lab)
    membership = next(m for m in lab["team"].memberships if m.student_id == lab["zoe"].id)
    membership.left_on = clock.moment.date()
    db.session.commit()
    login_as(lab["wijkdocent"])
    page = client.get(agreement_url(lab))
    assert page.status_code == 200
    text = flat(page.get_data(as_text=True))
    assert "alleen nog te lezen" in text
    assert "Wijzigen" not in text
    assert client.post(agreement_url(lab), data=form_data(version="1")).status_code == 403
    assert accept(client, login_as, lab, "wijkdocent").status_code == 403
    assert the_agreement().version == 1 and acceptances() == []


# --- the PDF -------------------------------------------------------------------------------


def test_the_pdf_holds_the_names_and_the_hours(lab, client, login_as):
    draw(client, login_as, lab)
    accept_by_all(client, login_as, lab)
    login_as(lab["zoe"])
    response = client.get(agreement_url(lab, suffix=".pdf"))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = " ".join(
        (page.extract_text() or "") for page in PdfReader(io.BytesIO(response.data)).pages
    )
    text = " ".join(text.split())
    for expected in ("Startafspraak", "Zoë van den Berg", "Petra de Vries", "Marloes Docent"):
        assert expected in text
    assert "Team Noord" in text and "Buurtkamer Noord" in text
    assert "Uren per week 12" in text
    assert "Afgesproken BPV-uren 480" in text
    assert "Gesprekken voeren met bewoners" in text
    assert "Door alle drie geaccepteerd" in text


def test_there_is_no_pdf_before_the_agreement_is_drawn(lab, client, login_as):
    login_as(lab["zoe"])
    assert client.get(agreement_url(lab, suffix=".pdf")).status_code == 404


def test_the_audit_trail_link_leads_to_the_agreement(lab, client, login_as):
    agreement = draw(client, login_as, lab)
    login_as(lab["admin"])
    response = client.get(f"/agreements/{agreement.id}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(agreement_url(lab))
