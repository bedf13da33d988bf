"""task history without description texts: what a member removed from a description (a phone
number, an e-mail address, a resident's name) is not kept readable in the task's history

Revision ID: 0010_task_history
Revises: 0009_privacy
Create Date: 2026-12-01 11:30:00

"""

import json

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010_task_history"
down_revision = "0009_privacy"
branch_labels = None
depends_on = None

task_event = sa.table("task_event", sa.column("id", sa.Integer), sa.column("details", sa.Text))


def upgrade():
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(task_event.c.id, task_event.c.details).where(
            task_event.c.details.like('%"description"%')
        )
    ).all()
    for row_id, details in rows:
        try:
            data = json.loads(details or "")
        except ValueError:
            continue
        if not isinstance(data, dict) or data.get("description") in (None, "changed"):
            continue
        data["description"] = "changed"
        connection.execute(
            task_event.update()
            .where(task_event.c.id == row_id)
            .values(details=json.dumps(data, ensure_ascii=False))
        )


def downgrade():
    # The removed texts are gone on purpose; there is nothing to put back.
    pass
