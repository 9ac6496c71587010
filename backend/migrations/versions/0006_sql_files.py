"""sql files: the trigger and function definitions are reloaded from versioned .sql files

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 10:00:00

Migrations 0001 (audit log), 0003 (stats rollups) and 0005 (unit feeds) built their
functions and triggers from Python strings. This revision loads the same definitions from
plain SQL files, migrations/sql/0006_{audit,stats,feeds}.sql, with CREATE OR REPLACE:
the statements are the ones those migrations produced, laid out for reading, so nothing
changes in behaviour and a database upgraded long ago ends where a fresh one does.

From here on, a change to a trigger or function is a new migration that loads a new file
(sql/00NN_stats.sql) holding the complete new definitions; a loaded file is never edited,
and each load_sql call states the file's SHA-256 (see app/core/sql_files.py and
migrations/sql/README.md).
"""

from collections.abc import Sequence

from app.core.sql_files import load_sql

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    load_sql("0006_audit.sql", "c3455ec996c8db4ea6840ae62966380d8b133b5aa8c3ada65e7d919c62fe5af5")
    load_sql("0006_stats.sql", "22be39e23a9a8c468dce202a54597258da47d72e3c0905fcb66cb7c4b62a726f")
    load_sql("0006_feeds.sql", "29d92886d94b1580bb12f4c25d0d62e1885f026fb65a9f84f7de67fd6a7623e0")


def downgrade() -> None:
    # Nothing to undo: the files hold the definitions 0001, 0003 and 0005 created (only the
    # layout of the stored function bodies differs), so the database behaves at 0005 as it
    # did before this revision ran; the downgrades of 0005, 0003 and 0001 drop them by name.
    pass
