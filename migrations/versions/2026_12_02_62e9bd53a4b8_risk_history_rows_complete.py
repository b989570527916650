"""risk history rows gain the life-cycle kit's recorded_at and idempotency_key (filled from `at`)

Revision ID: 62e9bd53a4b8
Revises: h8a1c2e3f4b5
Create Date: 2026-12-02 01:46:16.469673

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '62e9bd53a4b8'
down_revision = 'h8a1c2e3f4b5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('risk_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recorded_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('idempotency_key', sa.String(length=80), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_risk_events_idempotency_key'), ['idempotency_key'])
    op.execute("UPDATE risk_events SET recorded_at = at")
    with op.batch_alter_table('risk_events', schema=None) as batch_op:
        batch_op.alter_column('recorded_at', existing_type=sa.DateTime(), nullable=False)



def downgrade():
    with op.batch_alter_table('risk_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_risk_events_idempotency_key'), type_='unique')
        batch_op.drop_column('idempotency_key')
        batch_op.drop_column('recorded_at')

