"""The register of personal data: every table and every column of the model, and for each one
that holds personal data its category, purpose, retention rule, and how an export and an
erasure treat it. The export (``export.py``) and the erasure (``services.py``) are built from
it, and a test fails when the model and the register disagree, so a new column is decided on
before it ships."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Table, select

from wijklab.extensions import db


class Category(enum.StrEnum):
    IDENTITY = "identity"
    CONTACT = "contact"
    STUDY = "study"
    WORK_LOG = "work_log"
    ASSESSMENT = "assessment"
    FREE_TEXT = "free_text"
    TECHNICAL = "technical"


class Export(enum.StrEnum):
    INCLUDE = "include"
    OMIT = "omit"  # a secret or a hash that tells the person nothing


class Erase(enum.StrEnum):
    KEEP = "keep"
    ANONYMISE = "anonymise"  # emptied (text) or cleared (a choice)
    DELETE = "delete"  # the person's rows go
    PSEUDONYMISE = "pseudonymise"  # the pseudonym takes the person's place


CATEGORY_LABELS = {
    Category.IDENTITY: _l("Identiteit"),
    Category.CONTACT: _l("Contact"),
    Category.STUDY: _l("Opleiding"),
    Category.WORK_LOG: _l("Werklog"),
    Category.ASSESSMENT: _l("Beoordeling"),
    Category.FREE_TEXT: _l("Vrije tekst"),
    Category.TECHNICAL: _l("Technisch"),
}
EXPORT_LABELS = {
    Export.INCLUDE: _l("in de download"),
    Export.OMIT: _l("niet in de download"),
}
ERASE_LABELS = {
    Erase.KEEP: _l("bewaren"),
    Erase.ANONYMISE: _l("anonimiseren"),
    Erase.DELETE: _l("verwijderen"),
    Erase.PSEUDONYMISE: _l("pseudonimiseren"),
}

# The retention rules the register names.
WHILE_ACCOUNT = _l("zolang het account bestaat; daarna volgens de bewaartermijn van de school")
RETENTION = _l(
    "tot de bewaartermijn van de school verstreken is (standaard 7 jaar na de laatste activiteit)"
)
UNTIL_SENT = _l("tot de e-mail verstuurd is; daarna wordt de inhoud gewist")
UNTIL_USED = _l("tot de link gebruikt of verlopen is")
AUDIT = _l("zolang de audittrail bewaard wordt; bevat nooit de waarden zelf")


@dataclass(frozen=True)
class Field:
    """A column that holds personal data (or points to a person)."""

    category: Category
    purpose: Any
    retention: Any = RETENTION
    export: Export = Export.INCLUDE
    erase: Erase = Erase.KEEP
    # The links (by name) under which erasing this person changes this column; empty: every link.
    erase_for: tuple[str, ...] = ()


# A column that holds no personal data.
NONE = None


@dataclass(frozen=True)
class Link:
    """How a row belongs to a person: ``column`` holds their id, or (with ``via``) ``column``
    matches ``via_key`` of the rows of table ``via`` whose ``via_person`` is them. ``where``
    adds fixed conditions (an audit event *about* a user)."""

    name: str
    column: str
    via: str | None = None
    via_key: str = "id"
    via_person: str = ""
    where: tuple[tuple[str, Any], ...] = ()

    def condition(self, table: Table, user_id: int):
        conditions = [table.c[name] == value for name, value in self.where]
        if self.via is None:
            conditions.append(table.c[self.column] == user_id)
        else:
            other = db.metadata.tables[self.via]
            conditions.append(
                table.c[self.column].in_(
                    select(other.c[self.via_key]).where(other.c[self.via_person] == user_id)
                )
            )
        return db.and_(*conditions)


@dataclass(frozen=True)
class Entry:
    """One table: what it is, how its rows belong to a person, and every column."""

    table: str
    title: Any
    links: tuple[Link, ...]
    columns: dict[str, Field | None]
    rows_on_erase: Erase = Erase.KEEP  # DELETE: the rows linked to the person are deleted
    note: Any = ""

    @property
    def has_personal_data(self) -> bool:
        return any(f is not None for f in self.columns.values())


def _id() -> dict[str, Field | None]:
    return {"id": NONE}


def _ref(purpose, erase: Erase = Erase.PSEUDONYMISE, retention=RETENTION) -> Field:
    return Field(Category.IDENTITY, purpose, retention=retention, erase=erase)


STAMP = Field(Category.TECHNICAL, _l("wanneer iets gebeurde"))

ENTRIES: tuple[Entry, ...] = (
    Entry(
        "user",
        _l("Gebruikers"),
        (Link("self", "id"),),
        {
            **_id(),
            "email": Field(
                Category.CONTACT,
                _l("inloggen en e-mail"),
                WHILE_ACCOUNT,
                erase=Erase.ANONYMISE,
            ),
            "name": Field(
                Category.IDENTITY,
                _l("wie iemand is in teams, feedback en verklaringen"),
                WHILE_ACCOUNT,
                erase=Erase.PSEUDONYMISE,
            ),
            "password_hash": Field(
                Category.TECHNICAL,
                _l("inloggen (alleen een hash)"),
                WHILE_ACCOUNT,
                export=Export.OMIT,
                erase=Erase.ANONYMISE,
            ),
            "role": Field(Category.IDENTITY, _l("wat iemand mag")),
            "is_active": Field(Category.TECHNICAL, _l("of iemand kan inloggen")),
            "locale": Field(Category.TECHNICAL, _l("taal van de schermen"), erase=Erase.ANONYMISE),
            "session_token": Field(
                Category.TECHNICAL,
                _l("sessies beëindigen"),
                WHILE_ACCOUNT,
                export=Export.OMIT,
                erase=Erase.ANONYMISE,
            ),
            "created_at": STAMP,
            "updated_at": STAMP,
            "last_login_at": Field(
                Category.TECHNICAL,
                _l("beveiliging en bewaartermijn"),
                erase=Erase.ANONYMISE,
            ),
            "anonymised_at": Field(Category.TECHNICAL, _l("wanneer gegevens gewist zijn")),
        },
        note=_l("De rij blijft bestaan onder een pseudoniem, zodat bewaarde cijfers kloppen."),
    ),
    Entry(
        "student_profile",
        _l("Studentprofielen"),
        (Link("student", "user_id"),),
        {
            **_id(),
            "user_id": _ref(_l("van wie het profiel is")),
            "level": Field(Category.STUDY, _l("teams samenstellen; praktijkverklaring")),
            "school_id": Field(Category.STUDY, _l("school; bepaalt de bewaartermijn")),
            "programme": Field(Category.STUDY, _l("praktijkverklaring")),
            "study_year": Field(Category.STUDY, _l("teams samenstellen; praktijkverklaring")),
            "crebo": Field(Category.STUDY, _l("praktijkverklaring (mbo)")),
            "available_weekdays": Field(
                Category.STUDY, _l("teams samenstellen"), erase=Erase.ANONYMISE
            ),
            "hours_per_week": Field(Category.STUDY, _l("teams samenstellen")),
            "agreed_bpv_hours": Field(Category.STUDY, _l("voortgang van de BPV-uren")),
            "student_number": Field(
                Category.IDENTITY,
                _l("de student herkennen in de lijst van de school"),
                erase=Erase.ANONYMISE,
            ),
            "cohort": Field(Category.STUDY, _l("teams samenstellen")),
            "wants_peer_coach": Field(Category.STUDY, _l("teams samenstellen")),
            "availability_set_at": STAMP,
        },
    ),
    Entry(
        "supervisor_profile",
        _l("Werkbegeleidersprofielen"),
        (Link("supervisor", "user_id"),),
        {
            **_id(),
            "user_id": _ref(_l("van wie het profiel is")),
            "organisation_id": Field(Category.WORK_LOG, _l("bij welke partner iemand werkt")),
            "job_title": Field(
                Category.IDENTITY, _l("functie op de teampagina"), erase=Erase.ANONYMISE
            ),
            "supervision_hours_per_week": Field(
                Category.WORK_LOG, _l("begeleidingscapaciteit vergelijken")
            ),
        },
    ),
    Entry(
        "organisation",
        _l("Organisaties"),
        (),
        {
            **_id(),
            "name": NONE,
            "kind": NONE,
            "city": NONE,
            "neighbourhood_id": NONE,
            "is_recognised_training_company": NONE,
            "suitable_levels": NONE,
            "suitable_years": NONE,
            "retention_years": NONE,
            "schac_home": NONE,
            "created_at": NONE,
            "updated_at": NONE,
        },
    ),
    Entry(
        "neighbourhood",
        _l("Wijken"),
        (),
        {
            **_id(),
            "name": NONE,
            "city": NONE,
            "description": NONE,
            "created_at": NONE,
            "updated_at": NONE,
        },
    ),
    Entry(
        "framework_item",
        _l("Kwalificatiekaders"),
        (),
        {
            **_id(),
            "framework": NONE,
            "code": NONE,
            "title": NONE,
            "kind": NONE,
            "parent_id": NONE,
            "position": NONE,
            "is_own_wording": NONE,
            "is_active": NONE,
            "created_at": NONE,
            "updated_at": NONE,
        },
    ),
    Entry(
        "project",
        _l("Projecten"),
        (Link("owner", "owner_id"),),
        {
            **_id(),
            "title": NONE,
            "neighbourhood_id": NONE,
            "partner_id": NONE,
            "owner_id": _ref(_l("de wijkdocent die het project leidt")),
            "summary": NONE,
            "aims": NONE,
            "expectations": NONE,
            "supervision": NONE,
            "hours_per_week": NONE,
            "start_date": NONE,
            "end_date": NONE,
            "status": NONE,
            "weekdays": NONE,
            "min_mbo": NONE,
            "min_hbo": NONE,
            "max_size": NONE,
            "peer_feedback_first": NONE,
            "school_id": NONE,
            "created_at": NONE,
            "updated_at": NONE,
        },
    ),
    Entry(
        "team",
        _l("Teams"),
        (Link("supervisor", "supervisor_id"), Link("handover", "handover_by_id")),
        {
            **_id(),
            "project_id": NONE,
            "name": NONE,
            "supervisor_id": _ref(_l("de vaste werkbegeleider van het team")),
            "start_date": NONE,
            "end_date": NONE,
            "handover_note": Field(
                Category.FREE_TEXT,
                _l("overdracht aan het volgende team"),
                erase=Erase.ANONYMISE,
                erase_for=("handover",),
            ),
            "handover_by_id": _ref(_l("wie de overdracht schreef")),
            "handover_at": STAMP,
            "created_at": NONE,
            "updated_at": NONE,
        },
    ),
    Entry(
        "team_membership",
        _l("Teamlidmaatschappen"),
        (Link("student", "student_id"),),
        {
            **_id(),
            "team_id": Field(Category.STUDY, _l("in welk team iemand zit")),
            "student_id": _ref(_l("wie in het team zit")),
            "role": Field(Category.STUDY, _l("lid of peercoach")),
            "joined_on": Field(Category.STUDY, _l("periode op de praktijkverklaring")),
            "left_on": Field(Category.STUDY, _l("periode op de praktijkverklaring")),
        },
    ),
    Entry(
        "task",
        _l("Taken"),
        (
            Link("author", "author_id"),
            Link("verifier", "verified_by_id"),
            Link(
                "participant",
                "id",
                via="task_participation",
                via_key="task_id",
                via_person="student_id",
            ),
        ),
        {
            **_id(),
            "team_id": NONE,
            "author_id": _ref(_l("wie de taak vastlegde")),
            "date": Field(Category.WORK_LOG, _l("uren per week")),
            "title": Field(Category.WORK_LOG, _l("wat het team deed")),
            "description": Field(
                Category.WORK_LOG,
                _l("wat het team deed (gaat over activiteiten, niet over bewoners)"),
            ),
            "category": Field(Category.WORK_LOG, _l("uren per soort werk")),
            "residents_reached": NONE,
            "partners_involved": NONE,
            "place": NONE,
            "status": Field(Category.WORK_LOG, _l("goedkeuring van de uren")),
            "verified_by_id": _ref(_l("wie de uren goedkeurde")),
            "verified_at": STAMP,
            "verified_on_behalf": NONE,
            "return_reason": Field(Category.ASSESSMENT, _l("waarom een taak terugging")),
            "version": NONE,
            "created_at": STAMP,
            "updated_at": STAMP,
        },
        note=_l(
            "Een taak is het gezamenlijke werk van het team: de tekst blijft voor de andere "
            "deelnemers staan; de naam van de gewiste persoon wordt het pseudoniem."
        ),
    ),
    Entry(
        "task_participation",
        _l("Deelnames aan taken"),
        (Link("student", "student_id"),),
        {
            **_id(),
            "task_id": NONE,
            "student_id": _ref(_l("wie meedeed")),
            "minutes": Field(Category.WORK_LOG, _l("gemaakte uren; praktijkverklaring")),
            "role": Field(Category.WORK_LOG, _l("rol in de taak")),
            "reflection": Field(
                Category.FREE_TEXT,
                _l("eigen reflectie op de taak"),
                erase=Erase.ANONYMISE,
            ),
        },
    ),
    Entry(
        "hours_summary",
        _l("Uren per week (opgeteld)"),
        (Link("student", "student_id"),),
        {
            "team_id": NONE,
            "week": Field(Category.WORK_LOG, _l("uren per week, opgeteld uit de deelnames")),
            "student_id": _ref(_l("wiens uren opgeteld zijn")),
            "category": NONE,
            "status": NONE,
            "minutes": Field(Category.WORK_LOG, _l("uren per week, opgeteld uit de deelnames")),
            "participations": NONE,
        },
        note=_l("Afgeleid van de deelnames aan taken en daarmee gelijk gehouden."),
    ),
    Entry(
        "task_summary",
        _l("Taken per team en week (opgeteld)"),
        (),
        {
            "team_id": NONE,
            "week": NONE,
            "category": NONE,
            "status": NONE,
            "tasks": NONE,
            "residents_reached": NONE,
            "minutes": NONE,
        },
    ),
    Entry(
        "task_event",
        _l("Geschiedenis van taken"),
        (Link("actor", "actor_id"),),
        {
            **_id(),
            "task_id": NONE,
            "actor_id": _ref(_l("wie een taak wijzigde")),
            "at": STAMP,
            "action": Field(Category.WORK_LOG, _l("wat er met de taak gebeurde")),
            "from_status": NONE,
            "to_status": NONE,
            "details": Field(Category.WORK_LOG, _l("welke velden veranderden")),
        },
    ),
    Entry(
        "supervision_session",
        _l("Begeleidingsmomenten"),
        (Link("supervisor", "supervisor_id"),),
        {
            **_id(),
            "team_id": NONE,
            "supervisor_id": _ref(_l("wie begeleidde")),
            "date": Field(Category.WORK_LOG, _l("gegeven begeleiding")),
            "minutes": Field(Category.WORK_LOG, _l("gegeven begeleiding")),
            "note": Field(
                Category.FREE_TEXT,
                _l("notitie bij de begeleiding"),
                erase=Erase.ANONYMISE,
            ),
            "created_at": STAMP,
        },
    ),
    Entry(
        "supervision_session_student",
        _l("Wie bij een begeleidingsmoment was"),
        (Link("student", "student_id"),),
        {
            "session_id": Field(Category.WORK_LOG, _l("gekregen begeleiding")),
            "student_id": _ref(_l("welke student erbij was")),
        },
    ),
    Entry(
        "school_visit",
        _l("Schoolbezoeken"),
        (Link("visitor", "visitor_id"),),
        {
            **_id(),
            "team_id": NONE,
            "visitor_id": _ref(_l("welke wijkdocent op bezoek kwam")),
            "date": Field(Category.WORK_LOG, _l("schoolbezoeken per team")),
            "present": Field(Category.FREE_TEXT, _l("wie er bij waren"), erase=Erase.ANONYMISE),
            "note": Field(Category.FREE_TEXT, _l("notitie bij het bezoek"), erase=Erase.ANONYMISE),
            "created_at": STAMP,
        },
    ),
    Entry(
        "learning_goal",
        _l("Leerdoelen"),
        (Link("student", "student_id"),),
        {
            **_id(),
            "student_id": _ref(_l("van wie het leerdoel is")),
            "team_id": NONE,
            "title": Field(Category.STUDY, _l("leerdoel; praktijkverklaring")),
            "description": Field(
                Category.FREE_TEXT, _l("uitleg van het leerdoel"), erase=Erase.ANONYMISE
            ),
            "success_criteria": Field(
                Category.FREE_TEXT,
                _l("wanneer het doel bereikt is"),
                erase=Erase.ANONYMISE,
            ),
            "target_date": Field(Category.STUDY, _l("planning")),
            "status": Field(Category.ASSESSMENT, _l("voortgang; afgetekend of niet")),
            "peer_feedback_requested_at": Field(
                Category.STUDY, _l("wanneer de student de peercoach om feedback vroeg")
            ),
            "version": NONE,
            "created_at": STAMP,
            "updated_at": STAMP,
        },
    ),
    Entry(
        "goal_summary",
        _l("Leerdoelen per team en status (opgeteld)"),
        (),
        {"team_id": NONE, "status": NONE, "goals": NONE},
    ),
    Entry(
        "goal_framework_item",
        _l("Kaderitems bij leerdoelen"),
        (Link("student", "goal_id", via="learning_goal", via_person="student_id"),),
        {
            "goal_id": Field(Category.STUDY, _l("bij welk leerdoel")),
            "framework_item_id": Field(Category.STUDY, _l("kwalificatie; praktijkverklaring")),
        },
    ),
    Entry(
        "goal_evidence",
        _l("Bewijs bij leerdoelen"),
        (Link("student", "goal_id", via="learning_goal", via_person="student_id"),),
        {
            **_id(),
            "goal_id": Field(Category.STUDY, _l("bij welk leerdoel")),
            "participation_id": Field(Category.WORK_LOG, _l("welke taak als bewijs")),
            "note": Field(
                Category.FREE_TEXT,
                _l("toelichting bij het bewijs"),
                erase=Erase.ANONYMISE,
            ),
            "created_at": STAMP,
        },
    ),
    Entry(
        "feedback",
        _l("Feedback"),
        (
            Link("author", "author_id"),
            Link("student", "goal_id", via="learning_goal", via_person="student_id"),
        ),
        {
            **_id(),
            "goal_id": Field(Category.ASSESSMENT, _l("over welk leerdoel")),
            "author_id": _ref(_l("wie de feedback gaf")),
            "author_role": Field(Category.ASSESSMENT, _l("rol van de schrijver toen")),
            "rating": Field(Category.ASSESSMENT, _l("beoordeling op de vijfpuntsschaal")),
            "comment": Field(Category.FREE_TEXT, _l("de feedback zelf"), erase=Erase.ANONYMISE),
            "in_reply_to_id": NONE,
            "created_at": STAMP,
        },
    ),
    Entry(
        "sign_off",
        _l("Aftekeningen"),
        (
            Link("signer", "signed_by_id"),
            Link("revoker", "revoked_by_id"),
            Link("student", "goal_id", via="learning_goal", via_person="student_id"),
        ),
        {
            **_id(),
            "goal_id": Field(Category.ASSESSMENT, _l("welk leerdoel")),
            "signed_by_id": _ref(_l("wie aftekende")),
            "signed_at": STAMP,
            "statement": Field(
                Category.ASSESSMENT,
                _l("verklaring bij de aftekening; praktijkverklaring"),
            ),
            "revoked_by_id": _ref(_l("wie de aftekening introk")),
            "revoked_at": STAMP,
            "revoke_reason": Field(Category.ASSESSMENT, _l("waarom de aftekening is ingetrokken")),
        },
    ),
    Entry(
        "project_wish",
        _l("Projectwensen"),
        (Link("student", "student_id"),),
        {
            **_id(),
            "student_id": _ref(_l("van wie de wens is"), erase=Erase.DELETE),
            "project_id": NONE,
            "rank": Field(Category.STUDY, _l("teams samenstellen")),
            "motivation": Field(
                Category.FREE_TEXT,
                _l("waarom de student dit project wil"),
                erase=Erase.DELETE,
            ),
            "created_at": STAMP,
        },
        rows_on_erase=Erase.DELETE,
    ),
    Entry(
        "start_agreement",
        _l("Startafspraken"),
        (Link("student", "student_id"), Link("editor", "updated_by_id")),
        {
            **_id(),
            "team_id": NONE,
            "student_id": _ref(_l("van wie de startafspraak is")),
            "weekdays": Field(Category.STUDY, _l("afgesproken dagen in het wijklab")),
            "hours_per_week": Field(Category.STUDY, _l("afgesproken uren per week")),
            "agreed_bpv_hours": Field(Category.STUDY, _l("afgesproken BPV-uren voor deze plek")),
            "learning_focuses": Field(
                Category.FREE_TEXT,
                _l("de leerfocus van de student"),
                erase=Erase.ANONYMISE,
                erase_for=("student",),
            ),
            "supervision_form": Field(
                Category.FREE_TEXT,
                _l("hoe de begeleiding gaat"),
                erase=Erase.ANONYMISE,
                erase_for=("student",),
            ),
            "supervision_frequency": Field(Category.STUDY, _l("hoe vaak er begeleiding is")),
            "backup_contact": Field(
                Category.CONTACT,
                _l(
                    "wie de student belt als de werkbegeleider er niet is (kan een naam en "
                    "telefoonnummer van een derde bevatten)"
                ),
                erase=Erase.ANONYMISE,
                erase_for=("student",),
            ),
            "brief": NONE,
            "version": NONE,
            "created_at": STAMP,
            "updated_at": STAMP,
            "updated_by_id": _ref(_l("wie de startafspraak het laatst wijzigde")),
            "accepted_at": STAMP,
            "accepted_content": Field(
                Category.STUDY,
                _l("wat alle drie het laatst accepteerden, om wijzigingen te tonen"),
                erase=Erase.ANONYMISE,
                erase_for=("student",),
            ),
        },
    ),
    Entry(
        "agreement_acceptance",
        _l("Akkoorden op startafspraken"),
        (Link("person", "user_id"),),
        {
            **_id(),
            "agreement_id": NONE,
            "version": NONE,
            "party": Field(Category.STUDY, _l("in welke rol iemand akkoord gaf")),
            "user_id": _ref(_l("wie akkoord gaf")),
            "accepted_at": STAMP,
        },
    ),
    Entry(
        "statement_request",
        _l("Aanvragen van praktijkverklaringen"),
        (
            Link("student", "student_id"),
            Link("confirmer", "confirmed_by_id"),
            Link("decider", "decided_by_id"),
        ),
        {
            **_id(),
            "team_id": NONE,
            "student_id": _ref(_l("wie de verklaring aanvroeg")),
            "cutoff_date": NONE,
            "note": Field(
                Category.FREE_TEXT,
                _l("toelichting van de student bij de aanvraag"),
                erase=Erase.ANONYMISE,
                erase_for=("student",),
            ),
            "requested_at": STAMP,
            "status": NONE,
            "confirmed_by_id": _ref(_l("wie het praktijkdeel bevestigde")),
            "confirmed_at": STAMP,
            "decided_by_id": _ref(_l("wie de aanvraag uitgaf, teruggaf of introk")),
            "decided_at": STAMP,
            "return_reason": Field(Category.ASSESSMENT, _l("waarom een aanvraag terugging")),
            "version": NONE,
        },
    ),
    Entry(
        "statement",
        _l("Praktijkverklaringen"),
        (
            Link("student", "student_id"),
            Link("issuer", "issued_by_id"),
            Link("confirmer", "confirmed_by_id"),
        ),
        {
            **_id(),
            "code": Field(Category.TECHNICAL, _l("echtheid controleren")),
            "student_id": _ref(_l("van wie de verklaring is")),
            "team_id": NONE,
            "issued_by_id": _ref(_l("wie de verklaring uitgaf")),
            "issued_at": STAMP,
            "fingerprint": Field(Category.TECHNICAL, _l("nagaan of de verklaring nog klopt")),
            "content": Field(
                Category.STUDY,
                _l("de bevroren tekst van de verklaring; namen worden het pseudoniem"),
                erase=Erase.PSEUDONYMISE,
            ),
            "request_id": NONE,
            "cutoff_date": NONE,
            "confirmed_by_id": _ref(_l("wie het praktijkdeel bevestigde")),
            "confirmed_at": STAMP,
            "basis": Field(
                Category.TECHNICAL,
                _l("welke goedgekeurde taken en aftekeningen de verklaring telt"),
            ),
        },
        note=_l(
            "Een uitgegeven verklaring wordt nooit verwijderd: uren en afgetekende leerdoelen "
            "blijven onder het pseudoniem staan, zolang de bewaartermijn van de school loopt."
        ),
    ),
    Entry(
        "audit_event",
        _l("Audittrail"),
        (
            Link("actor", "actor_id"),
            Link("subject", "object_id", where=(("object_type", "User"),)),
        ),
        {
            **_id(),
            "actor_id": _ref(_l("wie iets deed"), retention=AUDIT),
            "action": Field(Category.TECHNICAL, _l("wat er gebeurde"), AUDIT),
            "object_type": NONE,
            "object_id": Field(Category.TECHNICAL, _l("waarover"), AUDIT),
            "at": Field(Category.TECHNICAL, _l("wanneer"), AUDIT),
            "details": Field(Category.TECHNICAL, _l("ids, aantallen en filters"), AUDIT),
        },
    ),
    Entry(
        "notification",
        _l("Meldingen"),
        (Link("recipient", "user_id"),),
        {
            **_id(),
            "user_id": _ref(_l("voor wie de melding is"), erase=Erase.DELETE),
            "kind": Field(Category.TECHNICAL, _l("soort melding")),
            "params": Field(Category.FREE_TEXT, _l("namen en titels in de tekst")),
            "link": Field(Category.TECHNICAL, _l("waar de melding naartoe leidt")),
            "created_at": STAMP,
            "read_at": STAMP,
            "mailed_at": STAMP,
            "dedupe_key": Field(
                Category.TECHNICAL, _l("niet twee keer melden"), export=Export.OMIT
            ),
        },
        rows_on_erase=Erase.DELETE,
    ),
    Entry(
        "notification_preference",
        _l("Voorkeuren voor meldingen"),
        (Link("user", "user_id"),),
        {
            **_id(),
            "user_id": _ref(_l("van wie de voorkeur is"), erase=Erase.DELETE),
            "kind": Field(Category.TECHNICAL, _l("soort melding")),
            "delivery": Field(Category.TECHNICAL, _l("hoe vaak per e-mail")),
        },
        rows_on_erase=Erase.DELETE,
    ),
    Entry(
        "mail_outbox",
        _l("Uitgaande e-mail"),
        (Link("recipient", "user_id"),),
        {
            **_id(),
            "to_address": Field(
                Category.CONTACT, _l("e-mail versturen"), UNTIL_SENT, erase=Erase.DELETE
            ),
            "user_id": _ref(_l("voor wie de e-mail is"), erase=Erase.DELETE, retention=UNTIL_SENT),
            "kind": Field(Category.TECHNICAL, _l("soort e-mail"), UNTIL_SENT),
            "subject": Field(Category.FREE_TEXT, _l("onderwerp"), UNTIL_SENT),
            "text_body": Field(
                Category.FREE_TEXT,
                _l("inhoud; gewist na verzending"),
                UNTIL_SENT,
                export=Export.OMIT,
            ),
            "html_body": Field(
                Category.FREE_TEXT,
                _l("inhoud; gewist na verzending"),
                UNTIL_SENT,
                export=Export.OMIT,
            ),
            "status": NONE,
            "attempts": NONE,
            "next_attempt_at": NONE,
            "claim": NONE,
            "claimed_at": NONE,
            "sent_at": STAMP,
            "last_error": NONE,
            "created_at": STAMP,
            "dedupe_key": NONE,
        },
        rows_on_erase=Erase.DELETE,
    ),
    Entry(
        "one_time_token",
        _l("Eenmalige links"),
        (Link("user", "user_id"),),
        {
            **_id(),
            "token_hash": Field(
                Category.TECHNICAL,
                _l("de link controleren (alleen een hash)"),
                UNTIL_USED,
                export=Export.OMIT,
                erase=Erase.DELETE,
            ),
            "purpose": Field(Category.TECHNICAL, _l("waarvoor de link is"), UNTIL_USED),
            "user_id": _ref(_l("voor wie de link is"), erase=Erase.DELETE, retention=UNTIL_USED),
            "object_type": NONE,
            "object_id": NONE,
            "version": NONE,
            "created_at": STAMP,
            "expires_at": STAMP,
            "used_at": STAMP,
        },
        rows_on_erase=Erase.DELETE,
    ),
    Entry(
        "agenda_feed",
        _l("Agenda-links"),
        (Link("user", "user_id"),),
        {
            **_id(),
            "user_id": _ref(_l("van wie de agenda-link is"), erase=Erase.DELETE),
            "token_hash": Field(
                Category.TECHNICAL,
                _l("de agenda-link controleren (alleen een hash)"),
                WHILE_ACCOUNT,
                export=Export.OMIT,
                erase=Erase.DELETE,
            ),
            "created_at": STAMP,
            "revoked_at": STAMP,
            "last_used_at": Field(
                Category.TECHNICAL, _l("wanneer een agenda de link het laatst ophaalde (per uur)")
            ),
        },
        rows_on_erase=Erase.DELETE,
    ),
    Entry(
        "personal_access_token",
        _l("API-tokens"),
        (Link("user", "user_id"),),
        {
            **_id(),
            "user_id": _ref(_l("van wie het token is"), erase=Erase.DELETE),
            "name": Field(Category.TECHNICAL, _l("het token herkennen"), WHILE_ACCOUNT),
            "token_hash": Field(
                Category.TECHNICAL,
                _l("het token controleren (alleen een hash)"),
                WHILE_ACCOUNT,
                export=Export.OMIT,
                erase=Erase.DELETE,
            ),
            "scope": Field(Category.TECHNICAL, _l("wat het token mag"), WHILE_ACCOUNT),
            "created_at": STAMP,
            "expires_at": STAMP,
            "last_used_at": Field(
                Category.TECHNICAL, _l("wanneer het token het laatst gebruikt is (per minuut)")
            ),
            "revoked_at": STAMP,
        },
        rows_on_erase=Erase.DELETE,
    ),
    Entry(
        "user_identity",
        _l("Instellingsaccounts"),
        (Link("user", "user_id"),),
        {
            **_id(),
            "user_id": _ref(_l("welk Wijklab-account het is"), erase=Erase.DELETE),
            "provider": Field(
                Category.IDENTITY, _l("bij welke instelling het account hoort"), WHILE_ACCOUNT
            ),
            "subject": Field(
                Category.IDENTITY,
                _l("het account bij de instelling herkennen"),
                WHILE_ACCOUNT,
                erase=Erase.DELETE,
            ),
            "created_at": STAMP,
            "last_login_at": STAMP,
        },
        rows_on_erase=Erase.DELETE,
    ),
)

REGISTER: dict[str, Entry] = {entry.table: entry for entry in ENTRIES}


@dataclass
class Mismatch:
    """What the model has that the register lacks, and the other way round."""

    unregistered: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.unregistered or self.stale)


def compare_with_model(metadata=None) -> Mismatch:
    """Every table and column of ``metadata`` against the register ("table" or "table.column")."""
    metadata = metadata if metadata is not None else db.metadata
    mismatch = Mismatch()
    for name, table in metadata.tables.items():
        entry = REGISTER.get(name)
        if entry is None:
            mismatch.unregistered.append(name)
            continue
        for column in table.columns:
            if column.name not in entry.columns:
                mismatch.unregistered.append(f"{name}.{column.name}")
        for column_name in entry.columns:
            if column_name not in table.columns:
                mismatch.stale.append(f"{name}.{column_name}")
        for link in entry.links:
            if link.column not in table.columns:
                mismatch.stale.append(f"{name}.{link.column} (link {link.name})")
    for name in REGISTER:
        if name not in metadata.tables:
            mismatch.stale.append(name)
    return mismatch
