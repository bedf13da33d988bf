"""What the API reads and writes, as marshmallow schemas: the same classes validate a request
and describe it in the OpenAPI document. Dates are ISO 8601, timestamps in UTC with their
offset; statuses, kinds and roles are the stable codes stored in the database."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from wijklab.accounts.models import Level, Role
from wijklab.api.models import TokenScope
from wijklab.api.v1.pagination import page_schema
from wijklab.inputs import MAX_ID
from wijklab.projects.models import ProjectStatus
from wijklab.tasks.models import (
    DESCRIPTION_MAX,
    MAX_MINUTES,
    PARTNERS_MAX,
    PLACE_MAX,
    REASON_MAX,
    TITLE_MAX,
    Category,
    ParticipationRole,
    TaskStatus,
)
from wijklab.teams.models import MemberRole

ID_RANGE = validate.Range(min=1, max=MAX_ID)


def _code(enum_class, description: str = "", **kwargs) -> fields.Enum:
    return fields.Enum(enum_class, by_value=True, metadata={"description": description}, **kwargs)


# --- read ---------------------------------------------------------------------------------------


class PersonRefSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class TokenInfoSchema(ma.Schema):
    name = fields.String(required=True)
    scope = _code(TokenScope, "read, or read_write", required=True)
    expires_at = fields.DateTime(required=True)


class MeSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    email = fields.Email(required=True)
    role = _code(Role, "The user's role.", required=True)
    locale = fields.String(allow_none=True)
    token = fields.Nested(TokenInfoSchema, required=True)


class NeighbourhoodRefSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    city = fields.String(required=True)


class OrganisationRefSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class ProjectSchema(ma.Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    status = _code(ProjectStatus, "draft, active, completed or archived.", required=True)
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)
    neighbourhood = fields.Nested(NeighbourhoodRefSchema, required=True)
    partner = fields.Nested(OrganisationRefSchema, required=True)
    owner = fields.Nested(PersonRefSchema, required=True, metadata={"description": "Wijkdocent."})


class TeamRefSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)
    supervisor = fields.Nested(PersonRefSchema, required=True)
    can_view = fields.Boolean(
        required=True,
        metadata={"description": "Whether GET /teams/{id} shows you this team."},
    )
    member_count = fields.Integer(
        allow_none=True,
        metadata={"description": "Current members; null for a team you do not see."},
    )


class ProjectDetailSchema(ProjectSchema):
    summary = fields.String(required=True)
    weekdays = fields.Method(
        "_weekdays",
        required=True,
        metadata={
            "type": "array",
            "items": {"type": "integer"},
            "description": "Lab days: 0 is Monday.",
        },
    )
    teams = fields.List(fields.Nested(TeamRefSchema), required=True)

    def _weekdays(self, project) -> list[int]:
        return sorted(project.weekdays)


class ProjectRefSchema(ma.Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    status = _code(ProjectStatus, required=True)


class MemberSchema(ma.Schema):
    id = fields.Integer(required=True, attribute="student.id", metadata={"description": "User."})
    name = fields.String(required=True, attribute="student.name")
    level = fields.Method(
        "_level",
        allow_none=True,
        metadata={"type": ["string", "null"], "enum": ["mbo", "hbo", None]},
    )
    study_year = fields.Method("_year", allow_none=True, metadata={"type": ["integer", "null"]})
    role = _code(MemberRole, "Role in the team: member or peer_coach.", required=True)
    joined_on = fields.Date(required=True)
    left_on = fields.Date(allow_none=True)

    def _level(self, membership):
        profile = membership.student.student_profile
        return Level(profile.level).value if profile is not None else None

    def _year(self, membership):
        profile = membership.student.student_profile
        return profile.study_year if profile is not None else None


class TeamSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    project = fields.Nested(ProjectRefSchema, required=True)
    supervisor = fields.Nested(PersonRefSchema, required=True)
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)
    members = fields.List(fields.Nested(MemberSchema), required=True, attribute="memberships")


class ParticipationSchema(ma.Schema):
    student = fields.Nested(PersonRefSchema, required=True)
    minutes = fields.Integer(required=True)
    role = _code(ParticipationRole, "lead, co_organiser or support.", required=True)


class TaskSchema(ma.Schema):
    id = fields.Integer(required=True)
    team_id = fields.Integer(required=True)
    date = fields.Date(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    category = _code(Category, "The kind of work.", required=True)
    status = _code(TaskStatus, "pending, verified or returned.", required=True)
    residents_reached = fields.Integer(required=True)
    partners_involved = fields.String(required=True)
    place = fields.String(required=True)
    author = fields.Nested(PersonRefSchema, required=True)
    participants = fields.List(
        fields.Nested(ParticipationSchema), required=True, attribute="participations"
    )
    verified_by = fields.Nested(PersonRefSchema, allow_none=True)
    verified_at = fields.DateTime(allow_none=True)
    return_reason = fields.String(required=True)
    version = fields.Integer(
        required=True, metadata={"description": "Send it back with verify or return."}
    )
    created_at = fields.DateTime(required=True)


ProjectPageSchema = page_schema(ProjectSchema, "ProjectPageSchema")
TaskPageSchema = page_schema(TaskSchema, "TaskPageSchema")


# --- write --------------------------------------------------------------------------------------


class ParticipantInSchema(ma.Schema):
    student_id = fields.Integer(required=True, strict=True, validate=ID_RANGE)
    minutes = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1, max=MAX_MINUTES)
    )
    role = _code(ParticipationRole, load_default=ParticipationRole.SUPPORT)


class TaskInSchema(ma.Schema):
    date = fields.Date(required=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=TITLE_MAX))
    category = _code(Category, required=True)
    description = fields.String(load_default="", validate=validate.Length(max=DESCRIPTION_MAX))
    residents_reached = fields.Integer(
        load_default=0, strict=True, validate=validate.Range(min=0, max=100_000)
    )
    partners_involved = fields.String(load_default="", validate=validate.Length(max=PARTNERS_MAX))
    place = fields.String(load_default="", validate=validate.Length(max=PLACE_MAX))
    participants = fields.List(
        fields.Nested(ParticipantInSchema),
        required=True,
        validate=validate.Length(min=1, max=50),
    )


class VerifyInSchema(ma.Schema):
    version = fields.Integer(
        required=True,
        strict=True,
        validate=ID_RANGE,
        metadata={"description": "The task's version as you saw it; a newer one gives 409."},
    )


class ReturnInSchema(VerifyInSchema):
    reason = fields.String(
        required=True,
        validate=validate.Length(min=1, max=REASON_MAX),
        metadata={"description": "What the team should change."},
    )
