"""participants remember the browser that joined

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("browser_id", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_participants_browser_id"), ["browser_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_participants_created_at"), ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_participants_created_at"))
        batch_op.drop_index(batch_op.f("ix_participants_browser_id"))
        batch_op.drop_column("browser_id")
