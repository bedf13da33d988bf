"""supervision sessions record which students took part

Revision ID: 0012_supervision_students
Revises: 0011_peer_feedback
Create Date: 2026-12-01 11:52:49.594959

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0012_supervision_students"
down_revision = "0011_peer_feedback"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "supervision_session_student",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["supervision_session.id"],
            name=op.f("fk_supervision_session_student_session_id_supervision_session"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["user.id"],
            name=op.f("fk_supervision_session_student_student_id_user"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint(
            "session_id", "student_id", name=op.f("pk_supervision_session_student")
        ),
    )
    with op.batch_alter_table("supervision_session_student", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_supervision_session_student_student_id"), ["student_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("supervision_session_student", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supervision_session_student_student_id"))

    op.drop_table("supervision_session_student")
