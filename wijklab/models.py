"""Every feature's models in one import, for Alembic and the shell. No classes live here."""

from wijklab.accounts.models import Role, StudentProfile, SupervisorProfile, User
from wijklab.accounts.oidc_models import UserIdentity  # noqa: F401
from wijklab.accounts.tokens import OneTimeToken
from wijklab.activity.models import (
    AuditEvent,
    Notification,
    NotificationPreference,
    OutboxMessage,
)
from wijklab.agenda.models import AgendaFeed
from wijklab.agreements.models import AgreementAcceptance, StartAgreement
from wijklab.api.models import PersonalAccessToken  # noqa: F401
from wijklab.goals.models import (
    Feedback,
    FrameworkItem,
    GoalEvidence,
    GoalSummary,
    LearningGoal,
    SignOff,
)
from wijklab.neighbourhoods.models import Neighbourhood
from wijklab.organisations.models import Organisation, OrganisationKind
from wijklab.projects.models import Project, ProjectStatus, ProjectWish
from wijklab.statements.models import Statement
from wijklab.tasks.models import (
    HoursSummary,
    SchoolVisit,
    SupervisionSession,
    Task,
    TaskEvent,
    TaskParticipation,
    TaskSummary,
)
from wijklab.teams.models import MemberRole, Team, TeamMembership

__all__ = [
    "AgendaFeed",
    "AgreementAcceptance",
    "AuditEvent",
    "Feedback",
    "FrameworkItem",
    "GoalEvidence",
    "GoalSummary",
    "LearningGoal",
    "MemberRole",
    "Neighbourhood",
    "Notification",
    "NotificationPreference",
    "OneTimeToken",
    "Organisation",
    "OrganisationKind",
    "OutboxMessage",
    "Project",
    "ProjectStatus",
    "ProjectWish",
    "HoursSummary",
    "Role",
    "SchoolVisit",
    "SignOff",
    "StartAgreement",
    "Statement",
    "StudentProfile",
    "SupervisionSession",
    "SupervisorProfile",
    "Task",
    "TaskEvent",
    "TaskParticipation",
    "TaskSummary",
    "Team",
    "TeamMembership",
    "User",
]
