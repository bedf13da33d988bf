"""start agreements (with acceptances), statement requests and what a statement counted, and
the school a project is open to

Revision ID: 0013_start_agreements
Revises: 0012_supervision_students
Create Date: 2026-12-01 13:29:56.820155

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013_start_agreements"
down_revision = "0012_supervision_students"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "start_agreement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("weekdays", sa.Integer(), nullable=False),
        sa.Column("hours_per_week", sa.Integer(), nullable=False),
        sa.Column("agreed_bpv_hours", sa.Integer(), nullable=False),
        sa.Column("learning_focuses", sa.Text(), nullable=False),
        sa.Column("supervision_form", sa.String(length=200), nullable=False),
        sa.Column("supervision_frequency", sa.String(length=100), nullable=False),
        sa.Column("backup_contact", sa.String(length=200), nullable=False),
        sa.Column("brief", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_content", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "agreed_bpv_hours BETWEEN 0 AND 2000",
            name=op.f("ck_start_agreement_agreed_bpv_hours_range"),
        ),
        sa.CheckConstraint(
            "hours_per_week BETWEEN 0 AND 40", name=op.f("ck_start_agreement_hours_per_week_range")
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_start_agreement_version_positive")),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["user.id"],
            name=op.f("fk_start_agreement_student_id_user"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["team.id"],
            name=op.f("fk_start_agreement_team_id_team"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["user.id"],
            name=op.f("fk_start_agreement_updated_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_start_agreement")),
        sa.UniqueConstraint("team_id", "student_id", name="uq_start_agreement_team_student"),
    )
    with op.batch_alter_table("start_agreement", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_start_agreement_student_id"), ["student_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_start_agreement_team_id"), ["team_id"], unique=False)

    op.create_table(
        "statement_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("cutoff_date", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "issued",
                "returned",
                "withdrawn",
                name="requeststatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("return_reason", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["confirmed_by_id"],
            ["user.id"],
            name=op.f("fk_statement_request_confirmed_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["user.id"],
            name=op.f("fk_statement_request_decided_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["user.id"],
            name=op.f("fk_statement_request_student_id_user"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["team.id"],
            name=op.f("fk_statement_request_team_id_team"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statement_request")),
    )
    with op.batch_alter_table("statement_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_statement_request_student_id"), ["student_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_statement_request_team_id"), ["team_id"], unique=False)
        batch_op.create_index(
            "uq_statement_request_pending",
            ["team_id", "student_id"],
            unique=True,
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        )

    op.create_table(
        "agreement_acceptance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "party",
            sa.Enum(
                "student", "supervisor", "wijkdocent", name="party", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["start_agreement.id"],
            name=op.f("fk_agreement_acceptance_agreement_id_start_agreement"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_agreement_acceptance_user_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_acceptance")),
        sa.UniqueConstraint(
            "agreement_id", "version", "party", name="uq_agreement_acceptance_agreement_id"
        ),
    )
    with op.batch_alter_table("agreement_acceptance", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agreement_acceptance_agreement_id"), ["agreement_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_agreement_acceptance_user_id"), ["user_id"], unique=False
        )

    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.add_column(sa.Column("school_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_project_school_id"), ["school_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_project_school_id_organisation"),
            "organisation",
            ["school_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("statement", schema=None) as batch_op:
        batch_op.add_column(sa.Column("request_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("cutoff_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("confirmed_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("basis", sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_statement_request_id_statement_request"),
            "statement_request",
            ["request_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_statement_confirmed_by_id_user"),
            "user",
            ["confirmed_by_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("statement", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_statement_confirmed_by_id_user"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_statement_request_id_statement_request"), type_="foreignkey"
        )
        batch_op.drop_column("basis")
        batch_op.drop_column("confirmed_at")
        batch_op.drop_column("confirmed_by_id")
        batch_op.drop_column("cutoff_date")
        batch_op.drop_column("request_id")

    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_project_school_id_organisation"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_project_school_id"))
        batch_op.drop_column("school_id")

    with op.batch_alter_table("agreement_acceptance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_acceptance_user_id"))
        batch_op.drop_index(batch_op.f("ix_agreement_acceptance_agreement_id"))

    op.drop_table("agreement_acceptance")
    with op.batch_alter_table("statement_request", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_statement_request_pending",
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        )
        batch_op.drop_index(batch_op.f("ix_statement_request_team_id"))
        batch_op.drop_index(batch_op.f("ix_statement_request_student_id"))

    op.drop_table("statement_request")
    with op.batch_alter_table("start_agreement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_start_agreement_team_id"))
        batch_op.drop_index(batch_op.f("ix_start_agreement_student_id"))

    op.drop_table("start_agreement")
