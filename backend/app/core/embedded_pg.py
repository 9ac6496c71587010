"""An embedded PostgreSQL (pgserver) for laptops and CI without a server."""

import os
from pathlib import Path

from app.core.db_urls import with_database


def ensure_database_url(configured: str | None, data_dir: Path, database: str = "liandong") -> str:
    """The configured DATABASE_URL (the environment or `.env`, as the settings read it),
    else the embedded server's under data_dir, started if need be. Exported to the
    environment so that worker processes find the same database."""
    url = configured or start_embedded(data_dir / "pg", database)
    os.environ["DATABASE_URL"] = url
    return url


def start_embedded(pg_dir: Path, database: str) -> str:
    import pgserver

    pg_dir.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None keeps the server running for the next command, like a local service.
    server = pgserver.get_server(str(pg_dir.resolve()), cleanup_mode=None)  # type: ignore[attr-defined]
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
    return with_database(server.get_uri(), database)  # get_uri: ...@/postgres?host=/path
