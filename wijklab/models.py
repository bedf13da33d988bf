"""Every feature's models in one import, for Alembic and the shell. No classes live here."""

from wijklab.accounts.models import Role, StudentProfile, SupervisorProfile, User
from wijklab.neighbourhoods.models import Neighbourhood
from wijklab.organisations.models import Organisation, OrganisationKind

__all__ = [
    "Neighbourhood",
    "Organisation",
    "OrganisationKind",
    "Role",
    "StudentProfile",
    "SupervisorProfile",
    "User",
]
