"""privacy: a per-school retention period and the moment a user was anonymised

Revision ID: 0009_privacy
Revises: 0008_activity
Create Date: 2026-12-01 10:54:14.863499

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009_privacy"
down_revision = "0008_activity"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("retention_years", sa.Integer(), server_default="7", nullable=False)
        )

    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("anonymised_at")

    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_column("retention_years")
