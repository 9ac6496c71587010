"""chasing: the ladder's policy per root unit, the steps taken on each item, and the
acknowledgement (已阅) of a notice

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 11:00:00

No steps are back-filled: the first chasing sweep after the upgrade records every step
already due on each late item (in ladder order), as it would after any gap.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0018'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None



def upgrade() -> None:
    op.create_table(
        'chasing_policies',
        sa.Column('root_org_id', sa.Uuid(), nullable=False),
        sa.Column('reminder_days_before', sa.SmallInteger(), nullable=False),
        sa.Column('notice_days_after', sa.SmallInteger(), nullable=False),
        sa.Column('circular_days_after', sa.SmallInteger(), nullable=False),
        sa.Column('supervision_days_after', sa.SmallInteger(), nullable=False),
        sa.Column('updated_by', sa.Uuid(), nullable=True),
        sa.Column(
            'updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False
        ),
        sa.CheckConstraint(
            'reminder_days_before BETWEEN 0 AND 30 AND notice_days_after BETWEEN 0 AND 30'
            ' AND notice_days_after < circular_days_after'
            ' AND circular_days_after < supervision_days_after'
            ' AND supervision_days_after <= 30',
            name=op.f('ck_chasing_policies_steps_valid'),
        ),
        sa.ForeignKeyConstraint(
            ['root_org_id'], ['org_units.id'],
            name=op.f('fk_chasing_policies_root_org_id_org_units'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['updated_by'], ['users.id'],
            name=op.f('fk_chasing_policies_updated_by_users'), ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('root_org_id', name=op.f('pk_chasing_policies')),
    )
    op.create_table(
        'chase_steps',
        sa.Column('entity_id', sa.Uuid(), nullable=False),
        sa.Column('step', sa.String(length=12), nullable=False),
        sa.Column('deadline', sa.DateTime(timezone=True), nullable=False),
        sa.Column('entity_type', sa.String(length=10), nullable=False),
        sa.Column('clock', sa.String(length=12), nullable=False),
        sa.Column(
            'recorded_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False
        ),
        sa.Column('supervisor_org_id', sa.Uuid(), nullable=True),
        sa.Column('supervised_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('supervised_by', sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "step IN ('reminder','notice','circular','supervision')",
            name=op.f('ck_chase_steps_step_valid'),
        ),
        sa.CheckConstraint("clock IN ('due','acceptance')", name=op.f('ck_chase_steps_clock_valid')),
        sa.CheckConstraint(
            "entity_type IN ('task','issue')", name=op.f('ck_chase_steps_entity_type_valid')
        ),
        sa.ForeignKeyConstraint(
            ['supervisor_org_id'], ['org_units.id'],
            name=op.f('fk_chase_steps_supervisor_org_id_org_units'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['supervised_by'], ['users.id'],
            name=op.f('fk_chase_steps_supervised_by_users'), ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('entity_id', 'step', 'deadline', name=op.f('pk_chase_steps')),
    )
    op.create_index(
        'ix_chase_steps_supervisor_waiting', 'chase_steps', ['supervisor_org_id'],
        postgresql_where=sa.text("step = 'supervision' AND supervised_at IS NULL"),
    )
    op.add_column(
        'notifications', sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True)
    )
    op.create_index(
        'ix_tasks_chased_accept_due_at', 'tasks', ['accept_due_at'],
        postgresql_where=sa.text("status = 'issued'"),
    )


def downgrade() -> None:
    op.drop_index('ix_tasks_chased_accept_due_at', table_name='tasks')
    op.drop_column('notifications', 'acknowledged_at')
    op.drop_index('ix_chase_steps_supervisor_waiting', table_name='chase_steps')
    op.drop_table('chase_steps')
    op.drop_table('chasing_policies')
