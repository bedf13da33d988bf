"""Realistic Dutch demo data for `flask seed-demo`: idempotent, found again by natural keys."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select

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
        "Dichtbevolkte wijk met veel jonge gezinnen en een rijke mix van culturen; "
        "thema's zijn eenzaamheid onder ouderen, schulden en ontmoeting op straat.",
    ),
    (
        "Feijenoord",
        "Rotterdam",
        "Wijk op Zuid aan de Maas, met de Afrikaanderwijk en Noordereiland dichtbij; "
        "thema's zijn taal, jongeren en gezondheid.",
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


# title, neighbourhood, partner, owner, dates, weekdays, status, brief,
# teams: (name, supervisor e-mail, [(student name, peer coach?)]), handover note
PROJECTS = [
    {
        "title": "Samen aan tafel in de Schilderswijk",
        "neighbourhood": "Schilderswijk",
        "partner": "Buurtcentrum De Mussen",
        "owner": "m.dijkstra@mondriaan.example.org",
        "start": date(2026, 9, 1),
        "end": date(2027, 6, 30),
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
        "start": date(2027, 1, 4),
        "end": date(2027, 6, 30),
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
        "start": date(2026, 2, 2),
        "end": date(2026, 7, 3),
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
    from wijklab.projects.models import Project, ProjectStatus
    from wijklab.teams import services as teams
    from wijklab.teams.models import MemberRole

    people = {u.email: u for u in db.session.scalars(select(User)).unique()}
    by_name = {u.name: u for u in people.values()}
    for spec in PROJECTS:
        if db.session.scalar(select(Project).where(Project.title == spec["title"])):
            continue
        project = projects.create_project(
            projects.ProjectData(
                title=spec["title"],
                neighbourhood=neighbourhoods[spec["neighbourhood"]],
                partner=organisations[spec["partner"]],
                start_date=spec["start"],
                end_date=spec["end"],
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
                    start_date=spec["start"],
                    end_date=spec["end"],
                ),
            )
            result.created += 1
            for student_name, coach in members:
                role = MemberRole.PEER_COACH if coach else MemberRole.MEMBER
                teams.add_member(
                    team,
                    by_name[student_name],
                    role=role,
                    today=spec["start"],
                    by=people[spec["owner"]],
                )
                result.created += 1
            if spec["handover"]:
                teams.write_handover(team, spec["handover"], by=by_name[members[0][0]])
        if spec["status"] in ("active", "completed"):
            db.session.refresh(project)
            teams.activate_project(project)
        if spec["status"] == "completed":
            projects.advance_status(project, ProjectStatus.COMPLETED)
        db.session.flush()


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


# Weekly work of the demo teams: (team, first date, step in days, weeks, [(title, category,
# residents, description)]); the participants are the team's members in turn.
TASK_PLAN = [
    (
        "Dinsdagteam",
        date(2026, 10, 6),
        [
            (
                "Boodschappen en koken voor de buurtmaaltijd",
                "residents_activity",
                28,
                "Samen met drie bewoners gekookt; er kwamen meer gasten dan verwacht.",
            ),
            (
                "Flyeren in de Hoefkade",
                "information",
                60,
                "Uitnodigingen voor de maaltijd rondgebracht en bij de bakker opgehangen.",
            ),
            (
                "Overleg met de moskee over een gezamenlijke maaltijd",
                "network",
                4,
                "Kennismaking met het bestuur; zij willen in december samen koken.",
            ),
            (
                "Buurtmaaltijd met live muziek",
                "residents_activity",
                35,
                "Een bewoner speelde saz; de sfeer was goed en er ontstonden nieuwe contacten.",
            ),
            (
                "Evaluatie met bewoners",
                "organisation",
                12,
                "Wat vinden bewoners van de maaltijd? Vooral de vaste dag wordt gewaardeerd.",
            ),
            (
                "Huisbezoek bij een nieuwe buurtbewoner",
                "individual_support",
                1,
                "Op verzoek van de opbouwwerker mee op huisbezoek; doorverwezen naar het taalcafé.",
            ),
            (
                "Buurtmaaltijd: thema Surinaamse keuken",
                "residents_activity",
                31,
                "Twee bewoners kookten mee en vertelden over hun recepten.",
            ),
            (
                "Leesopdracht methodisch werken",
                "study_assignment",
                0,
                "Studieopdracht over opbouwwerk, omdat het buurtcentrum gesloten was.",
            ),
        ],
    ),
    (
        "Woensdagteam",
        date(2026, 10, 7),
        [
            (
                "Straatinterviews bij het speeltuintje",
                "research",
                18,
                "Gevraagd wat ouders missen in de buurt: meer schaduw en een bankje.",
            ),
            (
                "Netwerkoverleg met het jongerenwerk",
                "network",
                3,
                "Afspraken over een gezamenlijke activiteit in de herfstvakantie.",
            ),
            (
                "Pop-up informatiepunt op de markt",
                "information",
                45,
                "Vragen over toeslagen en de energietoelage doorverwezen naar het wijkteam.",
            ),
            (
                "Verslag straatinterviews",
                "research",
                0,
                "De interviews uitgewerkt en gedeeld met de opbouwwerker.",
            ),
            (
                "Spelmiddag voor kinderen en ouders",
                "residents_activity",
                40,
                "Ouders raakten met elkaar in gesprek; twee willen helpen bij de volgende.",
            ),
            (
                "Teamoverleg en planning december",
                "organisation",
                0,
                "Taken verdeeld voor de kerstmaaltijd.",
            ),
        ],
    ),
]


# Where the teams work: both teams of the demo project reach the same streets now and then, which
# the neighbourhood's activity list shows as approached by more than one team.
PLACES = ("Hoefkade", "Buurtcentrum De Mussen", "Jacob Catsstraat", "Vaillantlaan", "")


def _seed_tasks(result: SeedResult) -> None:
    """A few weeks of tasks for the active project's teams: older ones verified, one returned,
    the latest waiting for the supervisor; with supervision sessions and a school visit."""
    from wijklab.tasks import services as tasks
    from wijklab.tasks.models import Category, ParticipationRole, Task
    from wijklab.teams.models import Team

    for team_name, first, plan in TASK_PLAN:
        team = db.session.scalar(select(Team).where(Team.name == team_name))
        if team is None or db.session.scalar(select(Task.id).where(Task.team_id == team.id)):
            continue
        members = [m.student for m in team.current_memberships]
        for week, (title, category, residents, description) in enumerate(plan):
            on = first + timedelta(days=7 * week)
            minutes = 150 if category != "study_assignment" else 90
            who = [members[(week + i) % len(members)] for i in range(3)]
            participants = [
                tasks.Participant(
                    student.id,
                    minutes + 30 * (i == 0),
                    ParticipationRole.LEAD if i == 0 else ParticipationRole.SUPPORT,
                )
                for i, student in enumerate(who)
            ]
            task = tasks.log_task(
                team,
                tasks.TaskData(
                    date=on,
                    title=title,
                    category=Category(category),
                    participants=participants,
                    description=description,
                    residents_reached=residents,
                    partners_involved=team.project.partner.name,
                    place=PLACES[week % len(PLACES)],
                ),
                author=who[0],
                today=on,
            )
            result.created += 1 + len(participants)
            if week < len(plan) - 2:
                tasks.verify_task(task, by=team.supervisor, on_behalf=False)
            elif week == len(plan) - 2 and team_name == "Woensdagteam":
                tasks.return_task(
                    task, by=team.supervisor, reason="Zet de minuten per persoon apart, graag."
                )
        for week in range(0, len(plan), 2):
            tasks.log_supervision(
                team,
                supervisor=team.supervisor,
                on=first + timedelta(days=7 * week),
                minutes=45,
                note="Nabespreking en planning van de komende weken.",
                today=first + timedelta(days=7 * week),
            )
            result.created += 1
        tasks.log_visit(
            team,
            visitor=team.project.owner,
            on=first + timedelta(days=21),
            present=", ".join(m.name for m in members[:3]),
            note="Meegekeken bij de activiteit en kort nagesproken met de werkbegeleider.",
            today=first + timedelta(days=21),
        )
        result.created += 1
    db.session.flush()


# (student, title, framework item codes, the status to bring it to)
GOAL_PLAN = [
    ("Zoë van den Berg", "Ik stel me voor aan nieuwe bewoners en nodig ze uit", ["B1-K1"], "draft"),
    ("Ayşe Demir", "Ik organiseer een buurtmaaltijd van begin tot eind", ["B1-K1"], "active"),
    (
        "Iris Meijer",
        "Ik breng samen met bewoners hun wensen voor de buurt in kaart",
        ["SW-K1"],
        "review_requested",
    ),
    (
        "Nadia Sadiki",
        "Ik coach eerstejaars bij het voorbereiden van een activiteit",
        ["SW-K3"],
        "signed_off",
    ),
]


def _seed_goals(result: SeedResult) -> None:
    """Learning goals in every state for the Dinsdagteam, with evidence and feedback."""
    from wijklab.goals import services as goals
    from wijklab.goals.models import FrameworkItem, LearningGoal
    from wijklab.tasks.models import Task, TaskParticipation, TaskStatus
    from wijklab.teams.models import Team

    team = db.session.scalar(select(Team).where(Team.name == "Dinsdagteam"))
    if team is None or db.session.scalar(
        select(LearningGoal.id).where(LearningGoal.team_id == team.id)
    ):
        return
    supervisor = team.supervisor
    students = {m.student.name: m.student for m in team.current_memberships}
    for name, title, codes, status in GOAL_PLAN:
        student = students[name]
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
                framework_item_ids=item_ids,
            ),
            by=student,
        )
        result.created += 1
        if status == "draft":
            continue
        goals.transition(goal, "activate", by=student)
        participation = db.session.scalar(
            select(TaskParticipation)
            .join(Task, Task.id == TaskParticipation.task_id)
            .where(
                TaskParticipation.student_id == student.id,
                Task.team_id == team.id,
                Task.status == TaskStatus.VERIFIED,
            )
            .order_by(Task.date)
            .limit(1)
        )
        if participation is not None:
            goals.add_evidence(
                goal, participation, by=student, note="Hier deed ik dit voor het eerst."
            )
            result.created += 1
        if status == "active":
            continue
        goals.add_feedback(
            goal,
            by=supervisor,
            comment="Je pakt dit goed op; let op je planning.",
            rating=3,
            may_rate=True,
        )
        result.created += 1
        goals.transition(goal, "request_review", by=student)
        if status == "signed_off":
            goals.transition(
                goal, "sign_off", by=supervisor, statement="Zelfstandig zichtbaar in de praktijk."
            )
            result.created += 1
    db.session.flush()
