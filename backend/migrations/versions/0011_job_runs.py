"""job runs: what each periodic job did, one row per (kind, period)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 01:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'job_runs',
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('period', sa.String(length=40), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('error', sa.String(length=2000), nullable=True),
        sa.Column(
            'finished_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False
        ),
        sa.PrimaryKeyConstraint('kind', 'period', name=op.f('pk_job_runs')),
    )
    op.create_index(
        op.f('ix_job_runs_kind_finished_at'), 'job_runs', ['kind', 'finished_at'], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f('ix_job_runs_kind_finished_at'), table_name='job_runs')
    op.drop_table('job_runs')
