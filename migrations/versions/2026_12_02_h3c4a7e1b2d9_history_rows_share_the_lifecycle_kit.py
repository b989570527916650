"""history rows share the life-cycle kit: action, from/to, recorded_at, idempotency keys

defect_events and key_events get the same HistoryMixin columns: key_events.type becomes
`action` and status_after becomes `to_status` (data kept; the model keeps the old names as
aliases), key_events gains `from_status` (filled from each key's previous event), both tables
gain `recorded_at` (filled from `at`) and a nullable unique `idempotency_key`.

Revision ID: h3c4a7e1b2d9
Revises: e6931ccaaef4
Create Date: 2026-12-02 01:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'h3c4a7e1b2d9'
down_revision = 'e6931ccaaef4'
branch_labels = None
depends_on = None

KEY_STATUSES = ('with_contractor', 'in_office', 'on_loan', 'with_owner', 'entrusted', 'entrusted_on_loan', 'lost',
                'retired')


def _enum(values, name):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade():
    with op.batch_alter_table('defect_events', schema=None) as batch_op:
        batch_op.alter_column('action', existing_type=sa.String(length=20), type_=sa.String(length=30),
                              existing_nullable=False)
        batch_op.add_column(sa.Column('recorded_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('idempotency_key', sa.String(length=80), nullable=True))
    op.execute("UPDATE defect_events SET recorded_at = at")
    with op.batch_alter_table('defect_events', schema=None) as batch_op:
        batch_op.alter_column('recorded_at', existing_type=sa.DateTime(), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_defect_events_idempotency_key'), ['idempotency_key'])

    # a plain RENAME COLUMN (SQLite 3.25+ and PostgreSQL) also rewrites the CHECK constraints that
    # name the column, which a batch copy of the table would carry over with the old name
    op.execute("ALTER TABLE key_events RENAME COLUMN type TO action")
    op.execute("ALTER TABLE key_events RENAME COLUMN status_after TO to_status")
    with op.batch_alter_table('key_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('from_status', _enum(KEY_STATUSES, 'key_event_from_status'), nullable=True))
        batch_op.add_column(sa.Column('recorded_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('idempotency_key', sa.String(length=80), nullable=True))
    # the status before each event is the status after the key's previous one (a new key starts
    # with the general contractor)
    op.execute("""
        UPDATE key_events SET recorded_at = at, from_status = COALESCE(
            (SELECT previous.to_status FROM key_events previous
             WHERE previous.key_id = key_events.key_id AND previous.id < key_events.id
             ORDER BY previous.id DESC LIMIT 1),
            'with_contractor')
    """)
    with op.batch_alter_table('key_events', schema=None) as batch_op:
        batch_op.alter_column('recorded_at', existing_type=sa.DateTime(), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_key_events_idempotency_key'), ['idempotency_key'])


def downgrade():
    with op.batch_alter_table('key_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_key_events_idempotency_key'), type_='unique')
        batch_op.drop_column('idempotency_key')
        batch_op.drop_column('recorded_at')
        batch_op.drop_constraint(batch_op.f('ck_key_events_key_event_from_status'), type_='check')
        batch_op.drop_column('from_status')
    op.execute("ALTER TABLE key_events RENAME COLUMN to_status TO status_after")
    op.execute("ALTER TABLE key_events RENAME COLUMN action TO type")

    with op.batch_alter_table('defect_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_defect_events_idempotency_key'), type_='unique')
        batch_op.drop_column('idempotency_key')
        batch_op.drop_column('recorded_at')
        batch_op.alter_column('action', existing_type=sa.String(length=30), type_=sa.String(length=20),
                              existing_nullable=False)
