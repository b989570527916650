"""activation codes stored as keyed hashes (HMAC with the server secret)

Codes issued before were unsalted SHA-256 of 8 digits: a leaked database yielded them all. They
are invalidated here (their expiry set to when they were issued); staff print notices again.

Revision ID: w5a1b2c3d4e5
Revises: 62e9bd53a4b8
Create Date: 2026-12-02 02:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'w5a1b2c3d4e5'
down_revision = 'w2a1c2e3f4b5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('activation_codes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('nonce', sa.String(length=32), nullable=True))
    op.execute("UPDATE activation_codes SET expires_at = created_at WHERE used_at IS NULL")


def downgrade():
    with op.batch_alter_table('activation_codes', schema=None) as batch_op:
        batch_op.drop_column('nonce')
