"""Small helpers for PostgreSQL URLs: one server, several databases."""


def with_database(url: str, name: str) -> str:
    """The same server and options, another database."""
    head, _, query = url.partition("?")
    return f"{head.rsplit('/', 1)[0]}/{name}" + (f"?{query}" if query else "")


def database_name(url: str) -> str:
    return url.partition("?")[0].rsplit("/", 1)[1]


def plain_url(url: str) -> str:
    """A URL asyncpg itself accepts (no SQLAlchemy driver suffix)."""
    return url.replace("postgresql+asyncpg://", "postgresql://")
