"""qualification frameworks

Revision ID: 0004_frameworks
Revises: 0003_tasks
Create Date: 2026-11-28 16:48:42.701688

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0004_frameworks"
down_revision = "0003_tasks"
branch_labels = None
depends_on = None


def upgrade():

    op.create_table(
        "framework_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("framework", sa.String(length=60), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "core_task",
                "work_process",
                "competence",
                name="frameworkitemkind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("is_own_wording", sa.Boolean(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["framework_item.id"],
            name=op.f("fk_framework_item_parent_id_framework_item"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_framework_item")),
        sa.UniqueConstraint("framework", "code", name="uq_framework_item_framework_code"),
    )
    with op.batch_alter_table("framework_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_framework_item_parent_id"), ["parent_id"], unique=False
        )


def downgrade():

    with op.batch_alter_table("framework_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_framework_item_parent_id"))

    op.drop_table("framework_item")
