"""learning goals, evidence, feedback, sign-offs and audit events

Revision ID: 0005_goals
Revises: 0004_frameworks
Create Date: 2026-11-28 17:02:56.226549

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0005_goals"
down_revision = "0004_frameworks"
branch_labels = None
depends_on = None


def upgrade():

    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("object_type", sa.String(length=40), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["user.id"],
            name=op.f("fk_audit_event_actor_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_at"), ["at"], unique=False)

    op.create_table(
        "learning_goal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("success_criteria", sa.Text(), nullable=False),
        sa.Column("target_date", sa.Date(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "active",
                "review_requested",
                "signed_off",
                name="goalstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["user.id"],
            name=op.f("fk_learning_goal_student_id_user"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_learning_goal_team_id_team"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learning_goal")),
    )
    with op.batch_alter_table("learning_goal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_learning_goal_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_learning_goal_student_id"), ["student_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_learning_goal_team_id"), ["team_id"], unique=False)

    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author_role", sa.String(length=20), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("in_reply_to_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "rating IS NULL OR rating BETWEEN 1 AND 5", name=op.f("ck_feedback_rating_range")
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["user.id"], name=op.f("fk_feedback_author_id_user"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["goal_id"],
            ["learning_goal.id"],
            name=op.f("fk_feedback_goal_id_learning_goal"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["in_reply_to_id"],
            ["feedback.id"],
            name=op.f("fk_feedback_in_reply_to_id_feedback"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
    )
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_goal_id"), ["goal_id"], unique=False)

    op.create_table(
        "goal_framework_item",
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("framework_item_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["framework_item_id"],
            ["framework_item.id"],
            name=op.f("fk_goal_framework_item_framework_item_id_framework_item"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["goal_id"],
            ["learning_goal.id"],
            name=op.f("fk_goal_framework_item_goal_id_learning_goal"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "goal_id", "framework_item_id", name=op.f("pk_goal_framework_item")
        ),
    )
    op.create_table(
        "sign_off",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("signed_by_id", sa.Integer(), nullable=True),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoke_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["goal_id"],
            ["learning_goal.id"],
            name=op.f("fk_sign_off_goal_id_learning_goal"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_id"],
            ["user.id"],
            name=op.f("fk_sign_off_revoked_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["signed_by_id"],
            ["user.id"],
            name=op.f("fk_sign_off_signed_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_off")),
    )
    with op.batch_alter_table("sign_off", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sign_off_goal_id"), ["goal_id"], unique=False)

    op.create_table(
        "goal_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("participation_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["goal_id"],
            ["learning_goal.id"],
            name=op.f("fk_goal_evidence_goal_id_learning_goal"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participation_id"],
            ["task_participation.id"],
            name=op.f("fk_goal_evidence_participation_id_task_participation"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goal_evidence")),
        sa.UniqueConstraint(
            "goal_id", "participation_id", name="uq_goal_evidence_goal_participation"
        ),
    )
    with op.batch_alter_table("goal_evidence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_goal_evidence_goal_id"), ["goal_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_goal_evidence_participation_id"), ["participation_id"], unique=False
        )


def downgrade():

    with op.batch_alter_table("goal_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_goal_evidence_participation_id"))
        batch_op.drop_index(batch_op.f("ix_goal_evidence_goal_id"))

    op.drop_table("goal_evidence")
    with op.batch_alter_table("sign_off", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sign_off_goal_id"))

    op.drop_table("sign_off")
    op.drop_table("goal_framework_item")
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_goal_id"))

    op.drop_table("feedback")
    with op.batch_alter_table("learning_goal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_learning_goal_team_id"))
        batch_op.drop_index(batch_op.f("ix_learning_goal_student_id"))
        batch_op.drop_index(batch_op.f("ix_learning_goal_status"))

    op.drop_table("learning_goal")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_at"))
        batch_op.drop_index(batch_op.f("ix_audit_event_actor_id"))
        batch_op.drop_index(batch_op.f("ix_audit_event_action"))

    op.drop_table("audit_event")
