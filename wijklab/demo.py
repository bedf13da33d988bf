"""Realistic Dutch demo data for `flask seed-demo`: idempotent, found again by natural keys."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select

from wijklab import clock
from wijklab.accounts import services as accounts
from wijklab.accounts.models import Level, Role, User
from wijklab.extensions import db
from wijklab.neighbourhoods.models import Neighbourhood
from wijklab.neighbourhoods.services import find_neighbourhood
from wijklab.organisations.models import Organisation, OrganisationKind
from wijklab.organisations.services import find_organisation

DEMO_PASSWORD = "wijklab-demo-2026"  # noqa: S105  (demo data only, printed on purpose)

NEIGHBOURHOODS = [
    (
        "Schilderswijk",
        "Den Haag",
        (
            "Dichtbevolkte wijk met veel jonge gezinnen en een rijke mix van culturen; "
            "thema's zijn eenzaamheid onder ouderen, schulden en ontmoeting op straat."
        ),
    ),
    (
        "Feijenoord",
        "Rotterdam",
        (
            "Wijk op Zuid aan de Maas, met de Afrikaanderwijk en Noordereiland dichtbij; "
            "thema's zijn taal, jongeren en gezondheid."
        ),
    ),
]

SCHOOLS = [
    ("ROC Mondriaan", "Den Haag", ("mbo",)),
    ("Haagse Hogeschool", "Den Haag", ("hbo",)),
]

PARTNERS = [
    ("Buurtcentrum De Mussen", "Den Haag", "Schilderswijk", True, ("mbo", "hbo"), (1, 2, 3, 4)),
    ("Welzijn Schilderswijk", "Den Haag", "Schilderswijk", True, ("mbo", "hbo"), (2, 3, 4)),
    ("Wijkpunt Feijenoord", "Rotterdam", "Feijenoord", True, ("mbo", "hbo"), (1, 2, 3, 4)),
    ("Stichting Buurtkracht Rotterdam-Zuid", "Rotterdam", "Feijenoord", False, ("hbo",), (3, 4)),
]

STAFF = [
    ("admin@wijklab.example.org", "Fatima el Amrani", Role.ADMIN, None, None),
    ("m.dijkstra@mondriaan.example.org", "Marloes Dijkstra", Role.WIJKDOCENT, None, None),
    ("y.benali@hhs.example.org", "Youssef Benali", Role.WIJKDOCENT, None, None),
    (
        "p.devries@demussen.example.org",
        "Petra de Vries",
        Role.SUPERVISOR,
        "Buurtcentrum De Mussen",
        "Opbouwwerker",
    ),
    (
        "s.yilmaz@welzijnschilderswijk.example.org",
        "Selin Yılmaz",
        Role.SUPERVISOR,
        "Welzijn Schilderswijk",
        "Sociaal werker",
    ),
    (
        "r.kromosoeto@wijkpuntfeijenoord.example.org",
        "Rayen Kromosoeto",
        Role.SUPERVISOR,
        "Wijkpunt Feijenoord",
        "Coördinator wijkpunt",
    ),
]

# name, level, year, available weekdays (0 = Monday), hours a week
STUDENTS = [
    ("Zoë van den Berg", "mbo", 1, (0, 1, 2), 16),
    ("Ayşe Demir", "mbo", 2, (1, 2, 3), 16),
    ("Yassine El Idrissi", "mbo", 3, (0, 2, 4), 20),
    ("Daan Jansen", "mbo", 4, (0, 1), 24),
    ("Noor Bakker", "mbo", 1, (2, 3, 4), 12),
    ("Chaïma Ouali", "mbo", 2, (0, 1, 2, 3), 16),
    ("Jesse de Groot", "mbo", 3, (1, 3), 20),
    ("Lotte Visser", "mbo", 2, (0, 4), 16),
    ("Mehmet Kaya", "mbo", 4, (2, 3, 4), 24),
    ("Anouk Smit", "mbo", 1, (0, 1, 2, 3, 4), 12),
    ("Sem Mulder", "hbo", 1, (0, 1), 8),
    ("Iris Meijer", "hbo", 2, (1, 2, 3), 16),
    ("Bilal Haddouchi", "hbo", 3, (0, 2, 4), 24),
    ("Eline de Boer", "hbo", 4, (2, 3), 32),
    ("Priya Ramdin", "hbo", 2, (0, 1, 4), 16),
    ("Thijs Vermeulen", "hbo", 3, (1, 2), 24),
    ("Fenna Brouwer", "hbo", 1, (3, 4), 8),
    ("Nadia Sadiki", "hbo", 4, (0, 1, 2), 32),
    ("Joël Pinas", "hbo", 2, (2, 3, 4), 16),
    ("Renée Hoekstra", "hbo", 3, (0, 3), 24),
]


@dataclass
class SeedResult:
    created: int = 0
    skipped: bool = False
    logins: list[tuple[str, str]] = field(default_factory=list)


def _email_for(name: str) -> str:
    import unicodedata

    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    parts = [p for p in plain.replace("'", "").split() if p]
    return f"{parts[0]}.{''.join(parts[1:])}@student.example.org"


def seed_demo(only_if_empty: bool = False) -> SeedResult:
    """Add whatever demo rows are missing; rows that exist are left as they are."""
    result = SeedResult()
    if only_if_empty and db.session.scalar(select(func.count(User.id))):
        result.skipped = True
        result.logins = _logins()
        return result

    neighbourhoods = {}
    for name, city, description in NEIGHBOURHOODS:
        found = find_neighbourhood(name, city)
        if found is None:
            found = Neighbourhood(name=name, city=city, description=description)
            db.session.add(found)
            result.created += 1
        neighbourhoods[name] = found

    organisations = {}
    for name, city, levels in SCHOOLS:
        organisations[name] = _organisation(
            result,
            name=name,
            kind=OrganisationKind.SCHOOL,
            city=city,
            suitable_levels=frozenset(levels),
            suitable_years=frozenset({1, 2, 3, 4}),
        )
    for name, city, wijk, recognised, levels, years in PARTNERS:
        organisations[name] = _organisation(
            result,
            name=name,
            kind=OrganisationKind.PARTNER,
            city=city,
            neighbourhood=neighbourhoods[wijk],
            is_recognised_training_company=recognised,
            suitable_levels=frozenset(levels),
            suitable_years=frozenset(years),
        )
    db.session.flush()

    for email, name, role, organisation, job_title in STAFF:
        supervisor = None
        if role == Role.SUPERVISOR:
            supervisor = accounts.SupervisorData(
                organisation=organisations[organisation],
                job_title=job_title,
                supervision_hours_per_week=4,
            )
        _user(result, email=email, name=name, role=role, supervisor=supervisor)

    for name, level, year, weekdays, hours in STUDENTS:
        school = organisations[SCHOOLS[0][0] if level == "mbo" else SCHOOLS[1][0]]
        student = accounts.StudentData(
            level=Level(level),
            study_year=year,
            school=school,
            programme="Sociaal werk" if level == "mbo" else "Social Work",
            crebo="25480" if level == "mbo" else None,
            available_weekdays=frozenset(weekdays),
            hours_per_week=hours,
            agreed_bpv_hours=400 if level == "mbo" else 600,
        )
        _user(result, email=_email_for(name), name=name, role=Role.STUDENT, student=student)
    db.session.flush()
    _seed_projects(result, neighbourhoods, organisations)
    _seed_tasks(result)
    from wijklab.goals.loader import load_shipped_frameworks

    for loaded in load_shipped_frameworks().values():
        result.created += loaded.created
    _seed_goals(result)
    _complete_projects()
    _seed_agreements(result)
    _seed_statements(result)
    _seed_availability(result)
    _seed_admin_notifications(result)
    _seed_mail()
    result.logins = _logins()
    return result


def _seed_mail() -> None:
    """The supervisors' weekly overview (waiting tasks and goals, each with a one-click review
    link) at once, so the development mailbox (/dev/mail) shows the supervisor's view from the
    first login. The review requests and returned tasks above have queued their own mail."""
    from wijklab.activity.models import Delivery
    from wijklab.activity.schedules import send_digests

    db.session.flush()
    send_digests(force=Delivery.WEEKLY)


# title, neighbourhood, partner, owner, start and end (days from today, so the active project
# is always running), weekdays, status, brief,
# teams: (name, supervisor e-mail, [(student name, peer coach?)]), handover note
PROJECTS = [
    {
        "title": "Samen aan tafel in de Schilderswijk",
        "neighbourhood": "Schilderswijk",
        "partner": "Buurtcentrum De Mussen",
        "owner": "m.dijkstra@mondriaan.example.org",
        "start": -91,
        "end": 211,
        "weekdays": (1, 2),
        "status": "active",
        "summary": "Elke week een buurtmaaltijd in het buurtcentrum, samen met bewoners "
        "voorbereid, gekookt en opgeruimd.",
        "aims": "Minder eenzaamheid onder oudere bewoners en nieuwe contacten tussen buren "
        "van verschillende achtergronden.",
        "expectations": "Op dinsdag en woensdag, acht uur per week: boodschappen, koken met "
        "bewoners, gasten uitnodigen en het gesprek aan tafel op gang houden.",
        "supervision": "Petra de Vries is er elke dinsdag en woensdag; elke twee weken een "
        "teamoverleg met de wijkdocent.",
        "teams": [
            (
                "Dinsdagteam",
                "p.devries@demussen.example.org",
                [
                    ("Zoë van den Berg", False),
                    ("Ayşe Demir", False),
                    ("Nadia Sadiki", True),
                    ("Iris Meijer", False),
                ],
            ),
            (
                "Woensdagteam",
                "p.devries@demussen.example.org",
                [
                    ("Yassine El Idrissi", True),
                    ("Chaïma Ouali", False),
                    ("Bilal Haddouchi", False),
                    ("Thijs Vermeulen", False),
                ],
            ),
        ],
        "handover": None,
    },
    {
        "title": "Buurtonderzoek rond de Haagse Markt",
        "neighbourhood": "Schilderswijk",
        "partner": "Welzijn Schilderswijk",
        "owner": "y.benali@hhs.example.org",
        "start": 34,
        "end": 211,
        "weekdays": (0, 3),
        "status": "draft",
        "summary": "Straatgesprekken met marktkooplui en bewoners over wat de buurt rond de "
        "markt nodig heeft.",
        "aims": "Een gedeeld beeld van wat bewoners missen, als basis voor nieuwe activiteiten.",
        "expectations": "Maandag en donderdag, zes uur per week: interviews op straat, "
        "verslagen en een presentatie voor de buurt.",
        "supervision": "Selin Yılmaz begeleidt wekelijks op maandag.",
        "teams": [
            (
                "Onderzoeksteam",
                "s.yilmaz@welzijnschilderswijk.example.org",
                [
                    ("Daan Jansen", True),
                    ("Jesse de Groot", False),
                    ("Renée Hoekstra", False),
                    ("Eline de Boer", False),
                ],
            ),
        ],
        "handover": None,
    },
    {
        "title": "Taalcafé Feijenoord",
        "neighbourhood": "Feijenoord",
        "partner": "Wijkpunt Feijenoord",
        "owner": "y.benali@hhs.example.org",
        "start": -302,
        "end": -151,
        "weekdays": (2, 4),
        "status": "completed",
        "summary": "Een wekelijks taalcafé in het wijkpunt waar bewoners Nederlands oefenen.",
        "aims": "Bewoners spreken vaker Nederlands en kennen de weg naar het wijkpunt.",
        "expectations": "Woensdag en vrijdag, acht uur per week: gespreksgroepen leiden en "
        "bewoners doorverwijzen.",
        "supervision": "Rayen Kromosoeto is er bij elk taalcafé.",
        "teams": [
            (
                "Taalcafé voorjaar",
                "r.kromosoeto@wijkpuntfeijenoord.example.org",
                [
                    ("Mehmet Kaya", True),
                    ("Lotte Visser", False),
                    ("Priya Ramdin", False),
                    ("Joël Pinas", False),
                ],
            ),
        ],
        "handover": "Het taalcafé draait goed op woensdag; op vrijdag komen vooral moeders "
        "met jonge kinderen, dus zorg voor een speelhoek. Contactpersoon bij de moskee is "
        "de voorzitter van de vrouwengroep. Begin op tijd met uitnodigen via de buurtapp.",
    },
]


def _seed_projects(result: SeedResult, neighbourhoods, organisations) -> None:
    """Three projects with mixed teams; a project is found again by its title."""
    from wijklab.projects import services as projects
    from wijklab.projects.models import Project
    from wijklab.teams import services as teams
    from wijklab.teams.models import MemberRole

    people = {u.email: u for u in db.session.scalars(select(User)).unique()}
    by_name = {u.name: u for u in people.values()}
    for spec in PROJECTS:
        if db.session.scalar(select(Project).where(Project.title == spec["title"])):
            continue
        start, end = _on(spec["start"]), _on(spec["end"])
        project = projects.create_project(
            projects.ProjectData(
                title=spec["title"],
                neighbourhood=neighbourhoods[spec["neighbourhood"]],
                partner=organisations[spec["partner"]],
                start_date=start,
                end_date=end,
                weekdays=frozenset(spec["weekdays"]),
                summary=spec["summary"],
                aims=spec["aims"],
                expectations=spec["expectations"],
                supervision=spec["supervision"],
                hours_per_week=8,
                min_mbo=1,
                min_hbo=1,
                max_size=6,
            ),
            owner=people[spec["owner"]],
        )
        result.created += 1
        for team_name, supervisor, members in spec["teams"]:
            team = teams.create_team(
                project,
                teams.TeamData(
                    name=team_name,
                    supervisor=people[supervisor],
                    start_date=start,
                    end_date=end,
                ),
            )
            result.created += 1
            for student_name, coach in members:
                role = MemberRole.PEER_COACH if coach else MemberRole.MEMBER
                teams.add_member(
                    team,
                    by_name[student_name],
                    role=role,
                    today=start,
                    by=people[spec["owner"]],
                )
                result.created += 1
            if spec["handover"]:
                teams.write_handover(team, spec["handover"], by=by_name[members[0][0]])
        if spec["status"] in ("active", "completed"):
            db.session.refresh(project)
            teams.activate_project(project)
        db.session.flush()


def _complete_projects() -> None:
    """A finished project is completed only after its tasks and goals are in (a completed project
    takes no new ones); a project already completed is left alone."""
    from wijklab.projects import services as projects
    from wijklab.projects.models import Project, ProjectStatus

    for spec in PROJECTS:
        project = db.session.scalar(select(Project).where(Project.title == spec["title"]))
        if spec["status"] == "completed" and project.status == ProjectStatus.ACTIVE:
            projects.advance_status(project, ProjectStatus.COMPLETED)
    db.session.flush()


def _on(days: int) -> date:
    """The date ``days`` from today (negative: in the past), on the app's clock."""
    return clock.today() + timedelta(days=days)


def _organisation(result: SeedResult, *, name: str, **values) -> Organisation:
    found = find_organisation(name)
    if found is None:
        found = Organisation(name=name, **values)
        db.session.add(found)
        result.created += 1
    return found


def _user(result: SeedResult, *, email: str, **values) -> None:
    if accounts.find_user_by_email(email) is not None:
        return
    accounts.create_user(email=email, password=DEMO_PASSWORD, **values)
    result.created += 1 + (1 if values.get("student") or values.get("supervisor") else 0)


def _logins() -> list[tuple[str, str]]:
    """The demo accounts worth showing, only those that exist (a skipped seed may have none)."""
    shown = [(email, role.value) for email, _n, role, _o, _j in STAFF]
    shown.append((_email_for(STUDENTS[0][0]), Role.STUDENT.value))
    shown.append((_email_for(STUDENTS[10][0]), Role.STUDENT.value))
    emails = [email for email, _role in shown]
    existing = set(db.session.scalars(select(User.email).where(User.email.in_(emails))))
    return [(email, role) for email, role in shown if email in existing]


# --- tasks -------------------------------------------------------------------------------------

WEEKS = 8

# Each team's work over the last eight weeks, on its own weekday (0 = Monday): one activity a
# week (title, category, residents reached, description, place), the preparation the day before,
# and two more tasks a week from its list (title, category, residents, minutes, description,
# place). Titles and places are what the team's own pages, the neighbourhood figures and the
# student's hours chart show.
TEAM_WORK = {
    "Dinsdagteam": {
        "weekday": 1,
        "weekly": [
            (
                "Buurtmaaltijd: soep en brood",
                24,
                "Drie bewoners hielpen koken; twee nieuwe gasten.",
            ),
            (
                "Buurtmaaltijd met live muziek",
                35,
                "Een bewoner speelde saz; er werd volop gepraat.",
            ),
            ("Buurtmaaltijd: Surinaamse keuken", 31, "Twee bewoners kookten mee met hun recepten."),
            (
                "Buurtmaaltijd: Marokkaanse keuken",
                33,
                "Harira en msemen, samen met de vrouwengroep.",
            ),
            (
                "Buurtmaaltijd met ouderen van de Hoefkade",
                27,
                "Vervoer geregeld voor vier ouderen.",
            ),
            ("Buurtmaaltijd: Turkse keuken", 29, "Kookworkshop vooraf; de tafel was vol."),
            ("Buurtmaaltijd: gerechten uit eigen land", 38, "Iedereen nam een gerecht mee."),
            ("Buurtmaaltijd: winterstamppot", 30, "Gasten bleven lang na om te kletsen."),
        ],
        "weekly_category": "residents_activity",
        "weekly_place": "Buurtcentrum De Mussen",
        "prep": ("Boodschappen en voorbereiding buurtmaaltijd", "organisation", 90),
        "prep_place": "Haagse Markt",
        "extra": [
            (
                "Flyeren in de Hoefkade",
                "information",
                60,
                120,
                "Uitnodigingen rondgebracht.",
                "Hoefkade",
            ),
            (
                "Overleg met de moskee over samen koken",
                "network",
                4,
                90,
                "Kennismaking met het bestuur.",
                "Moskee Al Mohsinin",
            ),
            (
                "Huisbezoek bij een nieuwe buurtbewoner",
                "individual_support",
                1,
                60,
                "Samen met de opbouwwerker; doorverwezen naar het taalcafé.",
                "Jacob Catsstraat",
            ),
            (
                "Evaluatie met vaste gasten",
                "research",
                12,
                90,
                "Vooral de vaste dag wordt gewaardeerd.",
                "Buurtcentrum De Mussen",
            ),
            (
                "Leesopdracht methodisch werken",
                "study_assignment",
                0,
                120,
                "Studieopdracht over opbouwwerk.",
                "",
            ),
            (
                "Inloopspreekuur in het buurtcentrum",
                "information",
                9,
                120,
                "Vragen over post en toeslagen doorverwezen.",
                "Buurtcentrum De Mussen",
            ),
            (
                "Overleg met de wijkagent",
                "network",
                1,
                45,
                "Afspraken over de ouderen die alleen wonen.",
                "Vaillantlaan",
            ),
            (
                "Folder in vier talen maken",
                "information",
                0,
                150,
                "Nederlands, Arabisch, Turks en Engels.",
                "",
            ),
            (
                "Bellen met gasten die wegbleven",
                "individual_support",
                6,
                60,
                "Twee gasten waren ziek; een kwam weer.",
                "",
            ),
            (
                "Teamoverleg en taakverdeling",
                "organisation",
                0,
                60,
                "Rollen voor de komende weken verdeeld.",
                "Buurtcentrum De Mussen",
            ),
            (
                "Straatgesprekken op het Hobbemaplein",
                "research",
                22,
                120,
                "Gevraagd wie de maaltijd nog niet kent.",
                "Hobbemaplein",
            ),
            (
                "Kennismaking met de voedselbank",
                "network",
                2,
                90,
                "Zij leveren voortaan brood op dinsdag.",
                "Hoefkade",
            ),
            (
                "Reflectieverslag week van de eenzaamheid",
                "study_assignment",
                0,
                90,
                "Verslag voor school.",
                "",
            ),
            (
                "Samen boodschappen doen met een bewoner",
                "individual_support",
                1,
                90,
                "Een oudere bewoner durft weer naar de markt.",
                "Haagse Markt",
            ),
            (
                "Fotocollage voor de buurtkrant",
                "information",
                0,
                90,
                "Foto's met toestemming van de gasten.",
                "",
            ),
            (
                "Planning kerstmaaltijd met vrijwilligers",
                "organisation",
                5,
                90,
                "Vijf vrijwilligers helpen mee.",
                "Buurtcentrum De Mussen",
            ),
        ],
        "returns": (
            "Zet de minuten per persoon apart, graag.",
            "Wie waren erbij? Vul de deelnemers aan.",
        ),
    },
    "Woensdagteam": {
        "weekday": 2,
        "weekly": [
            ("Spelmiddag voor kinderen en ouders", 40, "Ouders raakten met elkaar in gesprek."),
            ("Spelmiddag: sjoelen en Rummikub", 32, "Opa's en kleinkinderen speelden samen."),
            ("Spelmiddag buiten bij het speeltuintje", 45, "Stoepkrijt en touwtjespringen."),
            ("Spelmiddag: knutselen voor de herfst", 36, "Lampionnen gemaakt voor Sint-Maarten."),
            ("Spelmiddag met het jongerenwerk", 41, "Tieners hielpen de jongste kinderen."),
            ("Spelmiddag: voorlezen in drie talen", 28, "Ouders lazen voor in hun eigen taal."),
            ("Spelmiddag: sinterklaasknutselen", 44, "Schoenen versierd; veel nieuwe gezichten."),
            ("Spelmiddag: spelletjes uit alle landen", 39, "Ouders leerden elkaar spelletjes."),
        ],
        "weekly_category": "residents_activity",
        "weekly_place": "Speeltuin Jacob Catsstraat",
        "prep": ("Opbouwen en spelmateriaal klaarzetten", "organisation", 60),
        "prep_place": "Buurtcentrum De Mussen",
        "extra": [
            (
                "Straatinterviews bij het speeltuintje",
                "research",
                18,
                120,
                "Ouders missen schaduw en een bankje.",
                "Jacob Catsstraat",
            ),
            (
                "Netwerkoverleg met het jongerenwerk",
                "network",
                3,
                90,
                "Gezamenlijke activiteit in de vakantie.",
                "Vaillantlaan",
            ),
            (
                "Pop-up informatiepunt op de markt",
                "information",
                45,
                150,
                "Vragen over de energietoelage doorverwezen.",
                "Haagse Markt",
            ),
            ("Verslag straatinterviews", "research", 0, 120, "Gedeeld met de opbouwwerker.", ""),
            (
                "Huiswerkbegeleiding in de bibliotheek",
                "individual_support",
                3,
                90,
                "Drie kinderen uit groep 7 en 8.",
                "Bibliotheek Schilderswijk",
            ),
            (
                "Overleg met de basisschool",
                "network",
                2,
                60,
                "Folders mee in de schooltassen.",
                "Jan Ligthartschool",
            ),
            (
                "Leesopdracht jeugd en gezin",
                "study_assignment",
                0,
                120,
                "Hoofdstuk over opvoedondersteuning.",
                "",
            ),
            (
                "Buurtapp bijhouden en oproep plaatsen",
                "information",
                0,
                45,
                "Oproep voor vrijwilligers geplaatst.",
                "",
            ),
            (
                "Teamoverleg en planning december",
                "organisation",
                0,
                60,
                "Taken voor de kerstmaaltijd verdeeld.",
                "Buurtcentrum De Mussen",
            ),
            (
                "Gesprek met een moeder over opvoedvragen",
                "individual_support",
                1,
                60,
                "Doorverwezen naar het CJG.",
                "Jacob Catsstraat",
            ),
            (
                "Enquête onder ouders over de speeltuin",
                "research",
                26,
                120,
                "Uitkomsten voor de gemeente.",
                "Speeltuin Jacob Catsstraat",
            ),
            (
                "Kennismaking met de huurdersvereniging",
                "network",
                3,
                60,
                "Zij steunen het plan voor een bankje.",
                "Hoefkade",
            ),
            (
                "Posters voor de spelmiddag ophangen",
                "information",
                0,
                60,
                "Bij de bakker en in de moskee.",
                "Hoefkade",
            ),
            (
                "Reflectieverslag groepsdynamiek",
                "study_assignment",
                0,
                90,
                "Verslag voor school.",
                "",
            ),
            (
                "Materiaal inkopen voor het knutselen",
                "organisation",
                0,
                60,
                "Binnen het budget gebleven.",
                "Haagse Markt",
            ),
            (
                "Opruimactie rond het speeltuintje",
                "residents_activity",
                14,
                120,
                "Samen met kinderen zwerfafval geraapt.",
                "Speeltuin Jacob Catsstraat",
            ),
        ],
        "returns": (
            "Hoeveel bewoners waren er? Vul het aantal in.",
            "Schrijf kort wat jullie precies deden.",
        ),
    },
}

# The completed project's team: a language café every other week, all of it approved.
TAALCAFE = (
    "Taalcafé voorjaar",
    [
        ("Taalcafé: kennismaken", 14, "Wijkpunt Feijenoord"),
        ("Taalcafé: boodschappen doen", 17, "Wijkpunt Feijenoord"),
        ("Taalcafé: naar de huisarts", 19, "Wijkpunt Feijenoord"),
        ("Taalcafé: brieven van de gemeente", 21, "Wijkpunt Feijenoord"),
        ("Taalcafé buiten op het Afrikaanderplein", 26, "Afrikaanderplein"),
        ("Taalcafé: praten met de school", 18, "Wijkpunt Feijenoord"),
        ("Taalcafé: solliciteren", 15, "Wijkpunt Feijenoord"),
        ("Taalcafé: afsluiting met hapjes", 33, "Wijkpunt Feijenoord"),
    ],
)

SUPERVISION_NOTES = (
    "Nabespreking van de activiteit en planning van de komende week.",
    "Gesproken over grenzen stellen bij persoonlijke vragen van bewoners.",
    "Leerdoelen doorgenomen; wie wil wat oefenen?",
    "Samenwerking in het team en taakverdeling besproken.",
    "Casus besproken: een bewoner met schulden.",
    "Terugblik op de straatgesprekken.",
    "Voorbereiding van de kerstactiviteit.",
    "Evaluatie van acht weken: wat gaat goed, wat kan beter?",
)


def _last(weekday: int) -> date:
    """The latest date on or before today that falls on ``weekday``."""
    today = clock.today()
    return today - timedelta(days=(today.weekday() - weekday) % 7)


def _participants(members, k: int, minutes: int):
    """Two or three members in turn, the first leading."""
    from wijklab.tasks import services as tasks
    from wijklab.tasks.models import ParticipationRole

    count = 2 + k % 2
    return [
        tasks.Participant(
            members[(k + i) % len(members)].id,
            minutes + 30 * (i == 0) - 15 * (i == 2),
            ParticipationRole.LEAD if i == 0 else ParticipationRole.SUPPORT,
        )
        for i in range(count)
    ]


# (week, task of the week) → what happens to it; every other task of weeks 0 to 5 is approved
# by the supervisor, the last week waits.
TASK_FATE = {
    (1, 2): "on_behalf",
    (3, 1): "on_behalf",
    (2, 3): "edited",
    (4, 2): "resubmitted",
    (5, 3): "returned",
    (6, 2): "returned",
    (6, 3): "pending",
}


def _seed_tasks(result: SeedResult) -> None:
    """Eight weeks of work for the active project's teams, in every state: approved (some by the
    wijkdocent on behalf of the supervisor), changed after approval, returned, returned and
    corrected, and waiting; with weekly supervision and two school visits a team. The completed
    project's team gets its language cafés."""
    from wijklab.tasks import services as tasks
    from wijklab.tasks.models import Category, Task
    from wijklab.teams.models import Team

    today = clock.today()
    for team_name, work in TEAM_WORK.items():
        team = db.session.scalar(select(Team).where(Team.name == team_name))
        if team is None or not team.project.is_open:
            continue
        if db.session.scalar(select(Task.id).where(Task.team_id == team.id).limit(1)):
            continue
        members = [m.student for m in team.current_memberships]
        last = _last(work["weekday"])
        k = 0
        for week in range(WEEKS):
            day = last - timedelta(days=7 * (WEEKS - 1 - week))
            title, residents, description = work["weekly"][week]
            prep_title, prep_category, prep_minutes = work["prep"]
            planned = [
                (title, work["weekly_category"], residents, 150, description, work["weekly_place"]),
                (prep_title, prep_category, 0, prep_minutes, "", work["prep_place"]),
                *work["extra"][2 * week : 2 * week + 2],
            ]
            for j, (title, category, residents, minutes, description, place) in enumerate(planned):
                on = max(day - timedelta(days=1 if j % 2 else 0), team.start_date)
                data = tasks.TaskData(
                    date=on,
                    title=title,
                    category=Category(category),
                    participants=_participants(members, k, minutes),
                    description=description,
                    residents_reached=residents,
                    partners_involved=team.project.partner.name if j == 0 else "",
                    place=place,
                )
                author = db.session.get(User, data.participants[0].student_id)
                task = tasks.log_task(team, data, author=author, today=today)
                result.created += 1 + len(data.participants)
                _decide(task, data, team, work, week, j, author=author, today=today)
                k += 1
        result.created += _seed_coaching(team, members, last, today=today)
        for week in range(WEEKS):
            on = last - timedelta(days=7 * (WEEKS - 1 - week))
            _supervision(team, on, 30 + 15 * (week % 3), SUPERVISION_NOTES[week], members)
            result.created += 1
        for week in (2, 6) if team_name == "Dinsdagteam" else (3, 7):
            on = last - timedelta(days=7 * (WEEKS - 1 - week))
            tasks.log_visit(
                team,
                visitor=team.project.owner,
                on=on,
                present=", ".join(m.name for m in members[week % 2 :][:3]),
                note="Meegekeken bij de activiteit en kort nagesproken met de werkbegeleider.",
                today=today,
            )
            result.created += 1
    _seed_language_cafe(result)
    db.session.flush()


def _decide(task, data, team, work, week: int, j: int, *, author, today: date) -> None:
    """What the supervisor (or the wijkdocent) did with the task, and what the team did next."""
    from wijklab.tasks import services as tasks

    fate = TASK_FATE.get((week, j), "verified" if week < 6 or (week == 6 and j < 2) else "pending")
    if week == WEEKS - 1 or fate == "pending":
        return
    if fate == "on_behalf":
        tasks.verify_task(task, by=team.project.owner, on_behalf=True)
    elif fate in ("returned", "resubmitted"):
        tasks.return_task(task, by=team.supervisor, reason=work["returns"][week % 2])
    else:
        tasks.verify_task(task, by=team.supervisor, on_behalf=False)
    if fate in ("edited", "resubmitted"):
        data.residents_reached += 3
        data.description = (data.description + " Aangevuld na overleg met de werkbegeleider.")[
            :2000
        ]
        tasks.edit_task(task, data, by=author, version=task.version, today=today)


def _seed_coaching(team, members, last: date, *, today: date) -> int:
    """The team's peer coach logs a coaching talk every other week (their own kind of work,
    shown beside supervision time); the last one waits. Returns the rows made."""
    from wijklab.tasks import services as tasks
    from wijklab.tasks.models import Category, ParticipationRole
    from wijklab.teams.models import MemberRole

    if "peer_coaching" not in {c.value for c in Category}:
        return 0
    coach = next(m.student for m in team.current_memberships if m.role == MemberRole.PEER_COACH)
    coachees = [m for m in members if m.id != coach.id]
    made = 0
    for n, week in enumerate((1, 3, 5, 7)):
        coachee = coachees[n % len(coachees)]
        data = tasks.TaskData(
            date=last - timedelta(days=7 * (WEEKS - 1 - week)),
            title=f"Peercoaching met {coachee.name.split()[0]}",
            category=Category("peer_coaching"),
            participants=[tasks.Participant(coach.id, 45, ParticipationRole.LEAD)],
            description="Leerdoel en planning besproken; afspraken voor de komende week.",
            place="Buurtcentrum De Mussen",
        )
        task = tasks.log_task(team, data, author=coach, today=today)
        if week < WEEKS - 1:
            tasks.verify_task(task, by=team.supervisor, on_behalf=False)
        made += 2
    return made


def _supervision(team, on: date, minutes: int, note: str, members) -> None:
    """A supervision session with the team's current members who took part (``members``)."""
    from wijklab.tasks import services as tasks

    current = {m.student_id for m in team.current_memberships}
    tasks.log_supervision(
        team,
        supervisor=team.supervisor,
        on=on,
        minutes=minutes,
        note=note,
        today=clock.today(),
        students=[m for m in members if m.id in current],
    )


def _seed_language_cafe(result: SeedResult) -> None:
    """The completed project's language cafés, every other week of its spring, all approved."""
    from wijklab.tasks import services as tasks
    from wijklab.tasks.models import Category, Task
    from wijklab.teams.models import Team

    team_name, cafes = TAALCAFE
    team = db.session.scalar(select(Team).where(Team.name == team_name))
    if team is None or not team.project.is_open:
        return
    if db.session.scalar(select(Task.id).where(Task.team_id == team.id).limit(1)):
        return
    members = [m.student for m in team.current_memberships]
    first = team.start_date + timedelta(days=(2 - team.start_date.weekday()) % 7 + 14)
    for k, (title, residents, place) in enumerate(cafes):
        on = min(first + timedelta(days=14 * k), team.end_date)
        data = tasks.TaskData(
            date=on,
            title=title,
            category=Category.RESIDENTS_ACTIVITY,
            participants=_participants(members, k, 120),
            description="Gespreksgroepen geleid; nieuwe bewoners doorverwezen naar het wijkpunt.",
            residents_reached=residents,
            partners_involved=team.project.partner.name,
            place=place,
        )
        author = db.session.get(User, data.participants[0].student_id)
        task = tasks.log_task(team, data, author=author, today=clock.today())
        tasks.verify_task(task, by=team.supervisor, on_behalf=False)
        result.created += 1 + len(data.participants)
        if k % 2 == 0:
            _supervision(team, on, 45, SUPERVISION_NOTES[k], members)
            result.created += 1
    tasks.log_visit(
        team,
        visitor=team.project.owner,
        on=first + timedelta(days=28),
        present=", ".join(m.name for m in members),
        note="Het taalcafé bezocht; de studenten leiden de groepen zelfstandig.",
        today=clock.today(),
    )
    result.created += 1


# --- learning goals ------------------------------------------------------------------------

# (team, student, title, framework item codes, status to bring it to, verified tasks as
# evidence, feedback as (who, rating, comment)): who is "supervisor", "wijkdocent", "coach"
# (the team's peer coach) or "student" (the student's own response). The first four keep their
# order: the browser tests open goals 3 and 4.
GOAL_PLAN = [
    (
        "Dinsdagteam",
        "Zoë van den Berg",
        "Ik stel me voor aan nieuwe bewoners en nodig ze uit",
        ["B1-K1-W1"],
        "draft",
        0,
        [],
    ),
    (
        "Dinsdagteam",
        "Ayşe Demir",
        "Ik organiseer een buurtmaaltijd van begin tot eind",
        ["B1-K1-W2", "B1-K1-W3"],
        "active",
        1,
        [
            (
                "coach",
                None,
                (
                    "Je boodschappenlijst was heel duidelijk. Probeer ook de taken te "
                    "verdelen, dan hoef je niet alles zelf te doen."
                ),
            ),
            ("student", None, "Dank je! Volgende week vraag ik Zoë om de tafels te doen."),
        ],
    ),
    (
        "Dinsdagteam",
        "Iris Meijer",
        "Ik breng samen met bewoners hun wensen voor de buurt in kaart",
        ["SW-K1-C2"],
        "review_requested",
        2,
        [
            ("coach", None, "Mooi hoe je de vragen vooraf met bewoners hebt getest."),
            (
                "supervisor",
                3,
                (
                    "Je stelt goede open vragen. Vat de antwoorden nog wat scherper "
                    "samen voor het team."
                ),
            ),
            (
                "student",
                None,
                "Ik heb een samenvatting op één A4 gemaakt; die staat bij de evaluatie.",
            ),
        ],
    ),
    (
        "Dinsdagteam",
        "Nadia Sadiki",
        "Ik coach eerstejaars bij het voorbereiden van een activiteit",
        ["SW-K3-C1"],
        "signed_off",
        2,
        [
            (
                "supervisor",
                4,
                (
                    "Zoë en Ayşe bereiden de maaltijd nu zelf voor; jij stelt de "
                    "goede vragen en laat ze het doen."
                ),
            ),
            ("student", None, "Het was lastig om niet zelf in te springen, maar het werkt."),
        ],
    ),
    (
        "Dinsdagteam",
        "Zoë van den Berg",
        "Ik voer een gesprek aan tafel met een bewoner die ik nog niet ken",
        ["B1-K1-W3"],
        "active",
        2,
        [
            (
                "coach",
                None,
                (
                    "Je ging naast de nieuwe gast zitten, goed gedaan! Vraag ook door "
                    "als iemand kort antwoordt."
                ),
            ),
            ("supervisor", 2, "Je durft steeds meer. Oefen met een open vraag als opening."),
            ("student", None, "Ik ga volgende keer vragen hoe ze de buurt vinden."),
        ],
    ),
    (
        "Woensdagteam",
        "Yassine El Idrissi",
        "Ik leid een spelmiddag en verdeel de taken in het team",
        ["B1-K1-W2"],
        "signed_off",
        2,
        [
            ("supervisor", 4, "Je verdeelt de taken vooraf en houdt rust in de groep."),
            ("student", None, "Dank u. Ik schrijf de taakverdeling voortaan op het bord."),
        ],
    ),
    (
        "Woensdagteam",
        "Chaïma Ouali",
        "Ik ga in gesprek met ouders over wat hun kinderen nodig hebben",
        ["B1-K2-W1"],
        "signed_off",
        2,
        [
            ("coach", None, "Je luistert goed en laat ouders uitpraten."),
            ("supervisor", 4, "Ouders zoeken je nu zelf op met hun vragen."),
            ("wijkdocent", 5, "Bij mijn bezoek zag ik je zelfstandig doorverwijzen naar het CJG."),
        ],
    ),
    (
        "Woensdagteam",
        "Bilal Haddouchi",
        "Ik doe onderzoek onder bewoners en presenteer de uitkomsten",
        ["SW-K1-C1"],
        "review_requested",
        2,
        [
            ("coach", None, "Sterke vragenlijst. Denk aan de privacy bij de antwoorden."),
            ("supervisor", 3, "Goede uitkomsten; presenteer ze ook aan de huurdersvereniging."),
        ],
    ),
    (
        "Woensdagteam",
        "Thijs Vermeulen",
        "Ik bouw een netwerk op met organisaties in de wijk",
        ["SW-K2-C1"],
        "active",
        1,
        [("coach", None, "Maak een lijstje van wie je al kent en wie nog niet.")],
    ),
    (
        "Taalcafé voorjaar",
        "Mehmet Kaya",
        "Ik leid een gespreksgroep in het taalcafé",
        ["B1-K1-W1"],
        "signed_off",
        2,
        [
            ("supervisor", 5, "Je leidt de groep zelfstandig en andere studenten leren van je."),
            ("student", None, "Ik heb er veel van geleerd, vooral van de bewoners zelf."),
        ],
    ),
    (
        "Taalcafé voorjaar",
        "Lotte Visser",
        "Ik verwijs bewoners door naar de juiste hulp",
        ["B1-K1-W2"],
        "active",
        1,
        [("coach", None, "Je kent de sociale kaart van Feijenoord al goed.")],
    ),
]

SIGN_OFF_STATEMENT = "Zelfstandig zichtbaar in de praktijk, met bewijs uit goedgekeurde taken."


def _seed_goals(result: SeedResult) -> None:
    """Learning goals in every state, with evidence from approved tasks, ratings, comments of
    the team's peer coach and the students' own responses; a team is found again by its goals."""
    from wijklab.goals import services as goals
    from wijklab.goals.models import FrameworkItem, LearningGoal
    from wijklab.tasks.models import Task, TaskParticipation, TaskStatus
    from wijklab.teams.models import MemberRole, Team

    done: dict[str, bool] = {}
    for team_name, name, title, codes, status, evidence, feedback in GOAL_PLAN:
        team = db.session.scalar(select(Team).where(Team.name == team_name))
        if team is None or not team.project.is_open:
            continue
        if team_name not in done:
            done[team_name] = bool(
                db.session.scalar(
                    select(LearningGoal.id).where(LearningGoal.team_id == team.id).limit(1)
                )
            )
        if done[team_name]:
            continue
        members = {m.student.name: m for m in team.current_memberships}
        student = members[name].student
        coach = next(m.student for m in members.values() if m.role == MemberRole.PEER_COACH)
        item_ids = list(
            db.session.scalars(select(FrameworkItem.id).where(FrameworkItem.code.in_(codes)))
        )
        goal = goals.create_goal(
            team,
            student,
            goals.GoalData(
                title=title,
                description="Afgesproken met de werkbegeleider in de eerste weken.",
                success_criteria="Twee keer gedaan en besproken in de nabespreking.",
                target_date=team.end_date,
                framework_item_ids=item_ids,
            ),
            by=student,
        )
        result.created += 1 + len(item_ids)
        if status == "draft":
            continue
        goals.transition(goal, "activate", by=student)
        participations = db.session.scalars(
            select(TaskParticipation)
            .join(Task, Task.id == TaskParticipation.task_id)
            .where(
                TaskParticipation.student_id == student.id,
                Task.team_id == team.id,
                Task.status == TaskStatus.VERIFIED,
            )
            .order_by(Task.date, Task.id)
            .limit(evidence)
        ).all()
        for participation in participations:
            goals.add_evidence(
                goal, participation, by=student, note="Hier liet ik zien wat ik oefen."
            )
            result.created += 1
        in_review = status in ("review_requested", "signed_off")
        staff = [f for f in feedback if f[0] in ("supervisor", "wijkdocent")]
        for who, rating, comment in [f for f in feedback if f not in staff]:
            _feedback(goal, who, rating, comment, student=student, coach=coach)
            result.created += 1
        if in_review:
            goals.transition(goal, "request_review", by=student)
        for who, rating, comment in staff:
            _feedback(goal, who, rating, comment, student=student, coach=coach)
            result.created += 1
        if status == "signed_off":
            goals.transition(goal, "sign_off", by=team.supervisor, statement=SIGN_OFF_STATEMENT)
            result.created += 1
    db.session.flush()


def _feedback(goal, who: str, rating, comment: str, *, student, coach) -> None:
    from wijklab.goals import services as goals

    author = {
        "supervisor": goal.team.supervisor,
        "wijkdocent": goal.team.project.owner,
        "coach": coach,
        "student": student,
    }[who]
    goals.add_feedback(
        goal,
        by=author,
        comment=comment,
        rating=rating,
        may_rate=who in ("supervisor", "wijkdocent"),
        author_role="peer_coach" if who == "coach" else None,
    )


# --- admin -------------------------------------------------------------------------------------


def _seed_admin_notifications(result: SeedResult) -> None:
    """The admin finds two undelivered mails at first login (a supervisor's and a student's
    address), each linking to the account to correct; once each, however often the demo runs."""
    from wijklab.activity.outbox import MAIL_FAILED, MAX_ATTEMPTS
    from wijklab.activity.services import notify

    supervisor = next(email for email, _n, role, _o, _j in STAFF if role == Role.SUPERVISOR)
    recipients = [
        accounts.find_user_by_email(supervisor),
        accounts.find_user_by_email(_email_for(STUDENTS[5][0])),
    ]
    admins = db.session.scalars(
        select(User.id).where(User.role == Role.ADMIN, User.is_active.is_(True))
    ).all()
    for recipient in recipients:
        if recipient is None:
            continue
        for admin_id in admins:
            made = notify(
                admin_id,
                MAIL_FAILED,
                f"/users/{recipient.id}/edit",
                dedupe_key=f"demo:{MAIL_FAILED}:{recipient.id}:{admin_id}",
                name=recipient.name,
                attempts=MAX_ATTEMPTS,
            )
            result.created += made is not None


# --- statements ----------------------------------------------------------------------------

# The start agreement of every current member is accepted by all three, except this one: it
# waits for the supervisor, so the team page, the dashboard and the supervisor's list show it.
AGREEMENT_WAITING = ("Dinsdagteam", "Zoë van den Berg")
FOCUSES = [
    "Een bewonersbijeenkomst voorbereiden en leiden\n"
    "Contact leggen met buurtbewoners die we nog niet kennen",
    "Samenwerken met partners in de wijk\nMijn eigen uren en taken bijhouden",
    "Gesprekken voeren met ouders en jongeren\nEen activiteit evalueren met bewoners\n"
    "Feedback vragen aan mijn peercoach",
]
# (team, student, who has acted: "issued" = requested, confirmed and issued; "requested" = the
# request waits for the supervisor)
STATEMENTS = [
    ("Woensdagteam", "Yassine El Idrissi", "issued"),
    ("Dinsdagteam", "Ayşe Demir", "requested"),
]


def _seed_agreements(result: SeedResult) -> None:
    """A start agreement for every current member of a running project, drawn from the brief
    and accepted by the student, the supervisor and the wijkdocent (one still waits)."""
    from wijklab.agreements import services as agreements
    from wijklab.agreements.models import Party, StartAgreement
    from wijklab.teams.models import Team

    teams = db.session.scalars(select(Team).order_by(Team.id)).all()
    number = 0
    for team in teams:
        if not team.project.is_open:
            continue
        for membership in team.current_memberships:
            student = membership.student
            if db.session.scalar(
                select(StartAgreement.id).where(
                    StartAgreement.team_id == team.id, StartAgreement.student_id == student.id
                )
            ):
                continue
            data = agreements.proposal(team, student)
            data.learning_focuses = FOCUSES[number % len(FOCUSES)]
            data.supervision_form = "Wekelijks een kort gesprek op locatie, na de activiteit"
            data.supervision_frequency = "Elke week, en na elke bewonersavond"
            data.backup_contact = f"De coördinator van {team.project.partner.name}"
            number += 1
            agreement = agreements.draw_agreement(team, student, data, by=student)
            parties = [
                (Party.STUDENT, student),
                (Party.WIJKDOCENT, team.project.owner),
                (Party.SUPERVISOR, team.supervisor),
            ]
            if (team.name, student.name) == AGREEMENT_WAITING:
                parties = parties[:2]
            for party, user in parties:
                agreements.accept_agreement(agreement, party, by=user, version=agreement.version)
            result.created += 1
    db.session.flush()


WISH_MOTIVATIONS = [
    "Ik wil graag met bewoners werken en eten koken verbindt mensen.",
    "Ik woon zelf in deze wijk en ken veel mensen.",
    "Ik wil ervaring opdoen met jongeren en ouders.",
]


def _seed_availability(result: SeedResult) -> None:
    """Student numbers and cohorts as the school's list has them, and the students' own
    answers: two in three confirmed their days and hours, the eligible seniors half want to be
    a peercoach, and the students of no running team wished up to two open projects."""
    from wijklab.accounts.models import StudentProfile
    from wijklab.projects import wishes
    from wijklab.projects.models import Project, ProjectStatus, ProjectWish
    from wijklab.projects.permissions import open_projects_for
    from wijklab.teams.models import Team, TeamMembership

    if db.session.scalar(select(ProjectWish.id).limit(1)) is not None:
        return
    students = db.session.scalars(
        select(User).join(StudentProfile, StudentProfile.user_id == User.id).order_by(User.id)
    ).all()
    placed = set(
        db.session.scalars(
            select(TeamMembership.student_id)
            .join(Team, Team.id == TeamMembership.team_id)
            .join(Project, Project.id == Team.project_id)
            .where(TeamMembership.left_on.is_(None), Project.status == ProjectStatus.ACTIVE)
        )
    )
    for number, student in enumerate(students):
        profile = student.student_profile
        if profile.student_number is None:
            profile.student_number = f"{240101 + number}"
            profile.cohort = f"{clock.today().year - profile.study_year + 1}"
        if number % 3 == 0:
            continue  # has not answered yet: the wijkdocent's overview shows them
        open_ids = list(
            db.session.scalars(
                select(Project.id).where(open_projects_for(student)).order_by(Project.id)
            )
        )
        choices = []
        if student.id not in placed:
            choices = [
                wishes.WishChoice(rank, project_id, WISH_MOTIVATIONS[(number + rank) % 3])
                for rank, project_id in enumerate(open_ids[:2], start=1)
            ]
        wishes.save_availability(
            student,
            wishes.AvailabilityData(
                weekdays=frozenset(profile.available_weekdays),
                hours_per_week=profile.hours_per_week,
                wants_peer_coach=wishes.can_be_peer_coach(profile) and number % 2 == 0,
                wishes=choices,
            ),
            by=student,
        )
        result.created += len(choices)
    db.session.flush()


def _seed_statements(result: SeedResult) -> None:
    """One statement requested, confirmed by the supervisor and issued by the wijkdocent, so
    /verify has a real code with figures; and one request waiting for the supervisor."""
    from wijklab.activity.services import public_url
    from wijklab.clock import today
    from wijklab.statements import services as statements
    from wijklab.statements.models import StatementRequest
    from wijklab.teams.models import Team

    for team_name, name, step in STATEMENTS:
        team = db.session.scalar(select(Team).where(Team.name == team_name))
        student = db.session.scalar(select(User).where(User.name == name))
        if team is None or student is None:
            continue
        if db.session.scalar(
            select(StatementRequest.id).where(
                StatementRequest.team_id == team.id, StatementRequest.student_id == student.id
            )
        ):
            continue
        membership = team.membership_of(student)
        # As of today: the demo's sign-offs are made at seeding time, and count.
        cutoff = max(min(today(), team.end_date), membership.joined_on)
        request = statements.request_statement(
            team, student, cutoff=cutoff, note="Voor mijn BPV-dossier."
        )
        result.created += 1
        if step == "issued":
            statements.confirm_request(request, by=team.supervisor)
            statements.issue_statement(
                request,
                by=team.project.owner,
                verify_url=lambda code: public_url(f"/verify/{code}"),
            )
            result.created += 1
    db.session.flush()
