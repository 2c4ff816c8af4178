"""partner API keys and their daily usage

Revision ID: 0008
Revises: 0005
Create Date: 2026-11-28 09:23:50.984937
"""

import sqlalchemy as sa
from alembic import op

from sqlalchemy.dialects import postgresql

import api.models.base

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('api_keys',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('publishable', 'secret', name='apikeykind', native_enum=False, length=20), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('key_hint', sa.String(length=40), nullable=False),
    sa.Column('previous_hash', sa.String(length=64), nullable=True),
    sa.Column('previous_expires_at', api.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('allowed_origins', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('rate_limit', sa.String(length=40), nullable=False),
    sa.Column('daily_quota', sa.Integer(), nullable=True),
    sa.Column('park_id', sa.Uuid(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('expires_at', api.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', api.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_used_at', api.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', api.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', api.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['members.id'], name=op.f('fk_api_keys_created_by_id_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['park_id'], ['parks.id'], name=op.f('fk_api_keys_park_id_parks'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_keys')),
    sa.UniqueConstraint('previous_hash', name=op.f('uq_api_keys_previous_hash')),
    sa.UniqueConstraint('secret_hash', name=op.f('uq_api_keys_secret_hash'))
    )
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_keys_park_id'), ['park_id'], unique=False)

    op.create_table('api_key_usage',
    sa.Column('api_key_id', sa.Uuid(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('endpoint_group', sa.String(length=40), nullable=False),
    sa.Column('requests', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['api_key_id'], ['api_keys.id'], name=op.f('fk_api_key_usage_api_key_id_api_keys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('api_key_id', 'day', 'endpoint_group', name=op.f('pk_api_key_usage'))
    )
    with op.batch_alter_table('api_key_usage', schema=None) as batch_op:
        batch_op.create_index('ix_api_key_usage_day', ['day'], unique=False)


def downgrade():
    with op.batch_alter_table('api_key_usage', schema=None) as batch_op:
        batch_op.drop_index('ix_api_key_usage_day')

    op.drop_table('api_key_usage')
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_keys_park_id'))

    op.drop_table('api_keys')
