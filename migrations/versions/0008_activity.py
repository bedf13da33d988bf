"""activity: outbox, preferences, one-time tokens

Revision ID: 0008_activity
Revises: 0007_statements
Create Date: 2026-12-01 10:22:28.508164

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0008_activity"
down_revision = "0007_statements"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "mail_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("to_address", sa.String(length=254), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("text_body", sa.Text(), nullable=False),
        sa.Column("html_body", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "sending",
                "sent",
                "failed",
                name="outboxstatus",
                native_enum=False,
                length=10,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claim", sa.String(length=32), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dedupe_key", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_mail_outbox_user_id_user"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_outbox")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_mail_outbox_dedupe_key")),
    )
    with op.batch_alter_table("mail_outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mail_outbox_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_mail_outbox_user_id"), ["user_id"], unique=False)

    op.create_table(
        "notification_preference",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column(
            "delivery",
            sa.Enum(
                "immediate", "daily", "weekly", "off", name="delivery", native_enum=False, length=10
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_notification_preference_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_preference")),
        sa.UniqueConstraint("user_id", "kind", name=op.f("uq_notification_preference_user_id")),
    )
    with op.batch_alter_table("notification_preference", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notification_preference_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "one_time_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "purpose",
            sa.Enum(
                "password_reset",
                "invitation",
                "review",
                name="purpose",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("object_type", sa.String(length=40), nullable=True),
        sa.Column("object_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_one_time_token_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_one_time_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_one_time_token_token_hash")),
    )
    with op.batch_alter_table("one_time_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_one_time_token_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mailed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("dedupe_key", sa.String(length=120), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_notification_dedupe_key"), ["dedupe_key"])


def downgrade():
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_notification_dedupe_key"), type_="unique")
        batch_op.drop_column("dedupe_key")
        batch_op.drop_column("mailed_at")

    with op.batch_alter_table("one_time_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_one_time_token_user_id"))

    op.drop_table("one_time_token")
    with op.batch_alter_table("notification_preference", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notification_preference_user_id"))

    op.drop_table("notification_preference")
    with op.batch_alter_table("mail_outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mail_outbox_user_id"))
        batch_op.drop_index(batch_op.f("ix_mail_outbox_status"))

    op.drop_table("mail_outbox")
