"""project company details printed on documents

Revision ID: w4a1b2c3d4e5
Revises: 62e9bd53a4b8
Create Date: 2026-12-02 02:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'w4a1b2c3d4e5'
down_revision = 'w6a1b2c3d4e5'
branch_labels = None
depends_on = None

TEXTS = (("company_name", 120), ("company_address", 255), ("company_phone", 60), ("office_hours", 120),
         ("handover_venue", 255), ("bank_name", 120), ("bank_account_name", 120), ("bank_account", 60),
         ("property_company", 120))


def upgrade():
    with op.batch_alter_table('projects', schema=None) as batch_op:
        for name, length in TEXTS:
            batch_op.add_column(sa.Column(name, sa.String(length=length), server_default='', nullable=False))
        batch_op.add_column(sa.Column('booking_instructions', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('property_requirements', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('seal_box', sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade():
    with op.batch_alter_table('projects', schema=None) as batch_op:
        for name in ('seal_box', 'property_requirements', 'booking_instructions',
                     *reversed([name for name, _length in TEXTS])):
            batch_op.drop_column(name)
