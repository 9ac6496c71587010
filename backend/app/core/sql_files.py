"""Versioned SQL files that migrations load: trigger and function bodies as plain SQL.

Function and trigger definitions live in `backend/migrations/sql/`, one file per migration
and topic (`0006_stats.sql`), written as plain SQL (`CREATE OR REPLACE FUNCTION ...`,
`CREATE OR REPLACE TRIGGER ...`) so they read, diff and review as SQL. A migration loads
a file by its name and the SHA-256 of its content:

    load_sql("0006_stats.sql", "<64 hex digits>")

The rule: **a file that a migration loads is never edited afterwards**, so that a database
upgraded long ago and a fresh one run exactly the same statements. `load_sql` refuses a
file whose content no longer has the stated hash, and `tests/test_sql_files.py` checks
every file against the one migration that loads it. To change a trigger or function,
write a new migration that loads a new file named after it (`sql/00NN_stats.sql`) holding
the complete new definitions; its downgrade reloads the previous file, stating that
file's hash. `backend/migrations/sql/README.md` has the steps.

How a file is run: SQLAlchemy's asyncpg dialect prepares every statement it sends, and
PostgreSQL will not prepare several commands at once ("cannot insert multiple commands
into a prepared statement"), so a whole file cannot go through `op.execute`.
`split_statements` cuts the file at each `;` that is outside quotes, dollar quotes and
comments, and each statement is executed on its own as driver-level SQL (no `:name`
bind parameters are parsed out of the text, so it reaches the server as written). Hence
function bodies must be dollar-quoted (`AS $$ ... $$`), not `BEGIN ATOMIC ... END`, and a
file holds no transaction control: the migration's transaction covers its statements.
"""

import hashlib
import re
from pathlib import Path

from alembic import op

from app.core.migrate import BACKEND_DIR

SQL_DIR = BACKEND_DIR / "migrations" / "sql"

_NAME = re.compile(r"[0-9]{4}_[a-z0-9_]+\.sql")
_SHA256 = re.compile(r"[0-9a-f]{64}")
# A dollar-quote delimiter: $$ or $tag$ (a tag is an identifier without `$`).
_DOLLAR_TAG = re.compile(r"\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$")
_IDENTIFIER_CHAR = re.compile(r"[A-Za-z0-9_$\u0080-\uffff]")
_BEGIN_ATOMIC = re.compile(r"\bbegin\s+atomic\b", re.IGNORECASE)
_TRANSACTION_CONTROL = re.compile(
    r"(begin|start\s+transaction|commit|end|rollback|abort|savepoint|release"
    r"|prepare\s+transaction)\b",
    re.IGNORECASE,
)


class SqlFileChanged(RuntimeError):
    """A migration's SQL file no longer has the SHA-256 the migration states."""


class SqlSplitError(ValueError):
    """A SQL file that split_statements cannot cut into statements safely."""


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_sql(name: str, sha256: str, directory: Path = SQL_DIR) -> str:
    """The text of `directory/name`, after checking that its SHA-256 is `sha256`."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"{name!r} is not a SQL file name like '0006_stats.sql'")
    if not _SHA256.fullmatch(sha256):
        raise ValueError(f"{sha256!r} is not a SHA-256 (64 lowercase hex digits)")
    path = directory / name
    if not path.is_file():
        raise FileNotFoundError(f"{path}: a migration loads this SQL file, but it is missing")
    data = path.read_bytes()
    actual = hashlib.sha256(data).hexdigest()
    if actual != sha256:
        raise SqlFileChanged(
            f"{path} has changed since its migration was written: the migration states "
            f"sha256 {sha256}, the file now has {actual}. A SQL file that a migration loads "
            f"is never edited (databases migrated earlier ran the old text). Restore it "
            f"(git checkout -- {path}) and put the change in a new file loaded by a new "
            f"migration; see {directory / 'README.md'}."
        )
    return data.decode("utf-8")


def split_statements(text: str) -> list[str]:
    """The statements of a SQL script, without their terminating `;`.

    A statement ends at a `;` outside a comment (`--`, nested `/* */`), a string (`'...'`,
    `E'...'` with backslash escapes), a quoted identifier (`"..."`) and a dollar-quoted
    string (`$$...$$`, `$tag$...$tag$`). Comments before a statement and pieces holding
    only comments are dropped; comments inside a statement are kept. Raises SqlSplitError
    for an unterminated quote or comment, a `BEGIN ATOMIC` body (its inner `;` would be
    cut) and transaction control.
    """
    statements: list[str] = []
    code: list[str] = []  # the current statement outside quotes and comments, for checks
    start: int | None = None  # where the current statement's first token begins
    i, n = 0, len(text)

    def finish(end: int) -> None:
        nonlocal start
        if start is not None:
            outside = "".join(code)
            if _BEGIN_ATOMIC.search(outside):
                raise SqlSplitError(
                    f"BEGIN ATOMIC bodies cannot be split safely; use AS $$ ... $$: "
                    f"{text[start:end][:200]}"
                )
            if _TRANSACTION_CONTROL.match(outside.lstrip()):
                raise SqlSplitError(
                    f"no transaction control in a SQL file (the migration's transaction "
                    f"covers it): {text[start:end][:200]}"
                )
            statements.append(text[start:end].strip())
        start = None
        code.clear()

    def closing(token: str, at: int, what: str) -> int:
        end = text.find(token, at)
        if end < 0:
            raise SqlSplitError(f"unterminated {what} at offset {at}")
        return end + len(token)

    while i < n:
        c = text[i]
        if text.startswith("--", i):
            newline = text.find("\n", i)
            i = n if newline < 0 else newline + 1
            code.append(" ")
            continue
        if text.startswith("/*", i):
            depth, j = 1, i + 2
            while depth:
                if j >= n:
                    raise SqlSplitError(f"unterminated /* comment at offset {i}")
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            i = j
            code.append(" ")
            continue
        if c.isspace():
            code.append(c)
            i += 1
            continue
        if start is None and c != ";":
            start = i
        previous = text[i - 1] if i else ""
        if c == "'":
            escapes = previous in ("e", "E") and not (
                i >= 2 and _IDENTIFIER_CHAR.match(text[i - 2])
            )
            j = i + 1
            while True:
                if j >= n:
                    raise SqlSplitError(f"unterminated string at offset {i}")
                if escapes and text[j] == "\\":
                    j += 2
                elif text[j] == "'":
                    if text.startswith("''", j):
                        j += 2
                    else:
                        break
                else:
                    j += 1
            i = j + 1
            code.append(" ")
            continue
        if c == '"':
            i = closing('"', i + 1, "quoted identifier")
            code.append(" ")
            continue
        if c == "$" and not (previous and _IDENTIFIER_CHAR.match(previous)):
            tag = _DOLLAR_TAG.match(text, i)
            if tag:
                i = closing(tag.group(), tag.end(), f"dollar quote {tag.group()}")
                code.append(" ")
                continue
        if c == ";":
            finish(i)
            i += 1
            continue
        code.append(c)
        i += 1
    finish(n)
    return statements


def load_sql(name: str, sha256: str) -> None:
    """Run `migrations/sql/<name>` in the current migration, after checking its SHA-256.

    Call it from a migration's upgrade (or, for the previous file, its downgrade) with
    both arguments as string literals; the test suite reads them from the source.
    """
    connection = op.get_bind()
    for statement in split_statements(read_sql(name, sha256)):
        connection.exec_driver_sql(statement)
