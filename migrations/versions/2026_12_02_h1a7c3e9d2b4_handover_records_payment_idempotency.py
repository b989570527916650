"""handover records, payment idempotency, settle before handover

Revision ID: h1a7c3e9d2b4
Revises: e6931ccaaef4
Create Date: 2026-12-02 00:53:49.518371

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'h1a7c3e9d2b4'
down_revision = 'h7a1c2e3f4b5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('handover_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('handed_over_on', sa.Date(), nullable=True),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=80), nullable=True),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=80), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_handover_records_actor_id_users')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_handover_records_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_handover_records')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_handover_records_idempotency_key'))
    )
    with op.batch_alter_table('handover_records', schema=None) as batch_op:
        batch_op.create_index('ix_handover_records_unit', ['unit_id', 'id'], unique=False)

    # Units signed before handover records existed (through the earlier API) get that act on record,
    # so their history and the gate tell the same story.
    at = "handed_over_on || ' 00:00:00'" if op.get_bind().dialect.name == "sqlite" else "CAST(handed_over_on AS TIMESTAMP)"
    op.execute("INSERT INTO handover_records (unit_id, handed_over_on, items, recorded_at, action, note, at, actor_name) "
               f"SELECT id, handed_over_on, '[]', CURRENT_TIMESTAMP, 'sign', '（升级前已登记的交付）', {at}, '' "
               "FROM units WHERE handed_over_on IS NOT NULL")

    with op.batch_alter_table('fee_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('settle_before_handover', sa.JSON(), nullable=True))

    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('idempotency_key', sa.String(length=80), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_payments_idempotency_key'), ['idempotency_key'])



def downgrade():
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_payments_idempotency_key'), type_='unique')
        batch_op.drop_column('idempotency_key')

    with op.batch_alter_table('fee_settings', schema=None) as batch_op:
        batch_op.drop_column('settle_before_handover')

    with op.batch_alter_table('handover_records', schema=None) as batch_op:
        batch_op.drop_index('ix_handover_records_unit')

    op.drop_table('handover_records')
