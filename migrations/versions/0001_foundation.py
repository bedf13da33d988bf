"""accounts, organisations and neighbourhoods

Revision ID: 0001_foundation
Revises:
Create Date: 2026-11-28 15:34:31.598200

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0001_foundation"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():

    op.create_table(
        "neighbourhood",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("city", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_neighbourhood")),
        sa.UniqueConstraint("name", "city", name="uq_neighbourhood_name_city"),
    )
    op.create_table(
        "user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "admin",
                "wijkdocent",
                "student",
                "supervisor",
                name="role",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("locale", sa.String(length=5), nullable=True),
        sa.Column("session_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user")),
        sa.UniqueConstraint("email", name=op.f("uq_user_email")),
    )
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_role"), ["role"], unique=False)

    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=160), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("school", "partner", name="organisationkind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("city", sa.String(length=120), nullable=False),
        sa.Column("neighbourhood_id", sa.Integer(), nullable=True),
        sa.Column("is_recognised_training_company", sa.Boolean(), nullable=False),
        sa.Column("suitable_levels", sa.Integer(), nullable=False),
        sa.Column("suitable_years", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["neighbourhood_id"],
            ["neighbourhood.id"],
            name=op.f("fk_organisation_neighbourhood_id_neighbourhood"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation")),
        sa.UniqueConstraint("name", name=op.f("uq_organisation_name")),
    )
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_organisation_neighbourhood_id"), ["neighbourhood_id"], unique=False
        )

    op.create_table(
        "student_profile",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "level",
            sa.Enum("mbo", "hbo", name="level", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("school_id", sa.Integer(), nullable=True),
        sa.Column("programme", sa.String(length=160), nullable=False),
        sa.Column("study_year", sa.Integer(), nullable=False),
        sa.Column("crebo", sa.String(length=5), nullable=True),
        sa.Column("available_weekdays", sa.Integer(), nullable=False),
        sa.Column("hours_per_week", sa.Integer(), nullable=False),
        sa.Column("agreed_bpv_hours", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "agreed_bpv_hours BETWEEN 0 AND 2000",
            name=op.f("ck_student_profile_agreed_bpv_hours_range"),
        ),
        sa.CheckConstraint(
            "hours_per_week BETWEEN 0 AND 40", name=op.f("ck_student_profile_hours_per_week_range")
        ),
        sa.CheckConstraint(
            "study_year BETWEEN 1 AND 4", name=op.f("ck_student_profile_study_year_range")
        ),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["organisation.id"],
            name=op.f("fk_student_profile_school_id_organisation"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_student_profile_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_student_profile")),
        sa.UniqueConstraint("user_id", name=op.f("uq_student_profile_user_id")),
    )
    with op.batch_alter_table("student_profile", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_student_profile_school_id"), ["school_id"], unique=False
        )

    op.create_table(
        "supervisor_profile",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("job_title", sa.String(length=120), nullable=False),
        sa.Column("supervision_hours_per_week", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "supervision_hours_per_week BETWEEN 0 AND 40",
            name=op.f("ck_supervisor_profile_supervision_hours_range"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_supervisor_profile_organisation_id_organisation"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_supervisor_profile_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervisor_profile")),
        sa.UniqueConstraint("user_id", name=op.f("uq_supervisor_profile_user_id")),
    )
    with op.batch_alter_table("supervisor_profile", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_supervisor_profile_organisation_id"), ["organisation_id"], unique=False
        )


def downgrade():

    with op.batch_alter_table("supervisor_profile", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supervisor_profile_organisation_id"))

    op.drop_table("supervisor_profile")
    with op.batch_alter_table("student_profile", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_student_profile_school_id"))

    op.drop_table("student_profile")
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisation_neighbourhood_id"))

    op.drop_table("organisation")
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_role"))

    op.drop_table("user")
    op.drop_table("neighbourhood")
