"""defect list indexes: the list's ORDER BY created_at DESC, id served under its filters

Revision ID: w3a1b2c3d4e5
Revises: 62e9bd53a4b8
Create Date: 2026-12-02 02:05:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'w3a1b2c3d4e5'
down_revision = 'w1a1b2c3d4e5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('defects', schema=None) as batch_op:
        batch_op.create_index('ix_defects_list', ['batch_id', sa.text('created_at DESC'), 'id'], unique=False)
        batch_op.create_index('ix_defects_list_status', ['batch_id', 'status', sa.text('created_at DESC'), 'id'],
                              unique=False)
        batch_op.create_index('ix_defects_list_building_status',
                              ['batch_id', 'building_id', 'status', sa.text('created_at DESC'), 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('defects', schema=None) as batch_op:
        batch_op.drop_index('ix_defects_list_building_status')
        batch_op.drop_index('ix_defects_list_status')
        batch_op.drop_index('ix_defects_list')
