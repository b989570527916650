"""offline field client: photos and checklist results carry the client's key (and a result its time)

Revision ID: w6a1b2c3d4e5
Revises: 62e9bd53a4b8
Create Date: 2026-12-02 02:05:00
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'w6a1b2c3d4e5'
down_revision = '62e9bd53a4b8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('defect_photos', schema=None) as batch_op:
        batch_op.add_column(sa.Column('idempotency_key', sa.String(length=80), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_defect_photos_idempotency_key'), ['idempotency_key'])
    with op.batch_alter_table('inspection_results', schema=None) as batch_op:
        batch_op.add_column(sa.Column('at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('idempotency_key', sa.String(length=80), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_inspection_results_idempotency_key'), ['idempotency_key'])


def downgrade():
    with op.batch_alter_table('inspection_results', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_inspection_results_idempotency_key'), type_='unique')
        batch_op.drop_column('idempotency_key')
        batch_op.drop_column('at')
    with op.batch_alter_table('defect_photos', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_defect_photos_idempotency_key'), type_='unique')
        batch_op.drop_column('idempotency_key')
