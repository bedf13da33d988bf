"""personal, secret calendar links (agenda feeds)

Revision ID: 0017_agenda_feed
Revises: 0016_task_team_status_date_index
Create Date: 2026-12-01 21:35:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0017_agenda_feed"
down_revision = "0016_task_team_status_date_index"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "agenda_feed",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_agenda_feed_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agenda_feed")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_agenda_feed_token_hash")),
    )
    with op.batch_alter_table("agenda_feed", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agenda_feed_user_id"), ["user_id"], unique=False)
        batch_op.create_index(
            "uq_agenda_feed_live_user",
            ["user_id"],
            unique=True,
            sqlite_where=sa.text("revoked_at IS NULL"),
            postgresql_where=sa.text("revoked_at IS NULL"),
        )


def downgrade():
    with op.batch_alter_table("agenda_feed", schema=None) as batch_op:
        batch_op.drop_index("uq_agenda_feed_live_user")
        batch_op.drop_index(batch_op.f("ix_agenda_feed_user_id"))
    op.drop_table("agenda_feed")
