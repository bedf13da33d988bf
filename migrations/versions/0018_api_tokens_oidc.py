"""personal API tokens, institution accounts (OpenID Connect) and organisations' institution domain

Revision ID: 0018_api_tokens_oidc
Revises: 0017_agenda_feed
Create Date: 2026-12-01 21:32:18.545746

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0018_api_tokens_oidc"
down_revision = "0017_agenda_feed"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "personal_access_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "scope",
            sa.Enum("read", "read_write", name="tokenscope", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
            name=op.f("fk_personal_access_token_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_personal_access_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_personal_access_token_token_hash")),
    )
    with op.batch_alter_table("personal_access_token", schema=None) as batch_op:
        batch_op.create_index(
            "ix_personal_access_token_user_created", ["user_id", "created_at"], unique=False
        )

    op.create_table(
        "user_identity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_user_identity_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_identity")),
        sa.UniqueConstraint("provider", "subject", name="uq_user_identity_provider_subject"),
    )
    with op.batch_alter_table("user_identity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_identity_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("schac_home", sa.String(length=100), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_organisation_schac_home"), ["schac_home"])


def downgrade():
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_organisation_schac_home"), type_="unique")
        batch_op.drop_column("schac_home")

    with op.batch_alter_table("user_identity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_identity_user_id"))

    op.drop_table("user_identity")
    with op.batch_alter_table("personal_access_token", schema=None) as batch_op:
        batch_op.drop_index("ix_personal_access_token_user_created")

    op.drop_table("personal_access_token")
