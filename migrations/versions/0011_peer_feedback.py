"""issue 13: peer feedback first per project, when a student asked their peer coach

Revision ID: 0011_peer_feedback
Revises: 0010_task_history
Create Date: 2026-12-01 11:34:00.867337

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011_peer_feedback"
down_revision = "0010_task_history"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("learning_goal", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("peer_feedback_requested_at", sa.DateTime(timezone=True), nullable=True)
        )

    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "peer_feedback_first", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )


def downgrade():
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.drop_column("peer_feedback_first")

    with op.batch_alter_table("learning_goal", schema=None) as batch_op:
        batch_op.drop_column("peer_feedback_requested_at")
