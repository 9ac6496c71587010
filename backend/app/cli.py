"""`liandong` command: serve, worker, jobs, migrate, demo, bootstrap."""

import argparse
import asyncio
import getpass
import os
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

from app.core.config import get_settings
from app.core.embedded_pg import ensure_database_url
from app.core.models import utcnow
from app.jobs.service import KINDS, JobKind

T = TypeVar("T")


def _prepare_database() -> None:
    settings = get_settings()
    url = ensure_database_url(settings.database_url, settings.data_dir)
    settings.database_url = url
    from app.core.migrate import upgrade

    upgrade(settings.async_database_url())


async def _with_session(action: str, **kwargs: str) -> str:
    from app.core.db import dispose_engine, sessionmaker
    from app.demo.seed import database_is_empty, load_demo

    settings = get_settings()
    try:
        async with sessionmaker()() as session:
            if action == "demo-if-empty":
                if settings.is_production or not await database_is_empty(session):
                    return "kept the existing data"
                await load_demo(session)
                await session.commit()
                return "loaded the demo data"
            if action == "demo-reset":
                if settings.is_production:
                    raise SystemExit("Refusing to load demo data into a production database.")
                from app.demo.reset import reset_database

                await reset_database(session)
                await load_demo(session)
                await session.commit()
                return "reset the demo data"
            if action == "bootstrap":
                from app.bootstrap import bootstrap

                await bootstrap(session, **kwargs)
                await session.commit()
                return f"created {kwargs['root_name']} and its admin {kwargs['username']}"
            raise ValueError(action)
    finally:
        await dispose_engine()


async def _disposing(work: Coroutine[Any, Any, T]) -> T:
    from app.core.db import dispose_engine

    try:
        return await work
    finally:
        await dispose_engine()


async def _run_job_now(kind: JobKind) -> str:
    from app.jobs.service import run_period

    ran = await run_period(kind, utcnow())
    return f"{kind.name}: {'done' if ran else 'this period was done already'}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="liandong")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="migrate, load the demo if empty, serve API and SPA")
    serve.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    serve.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "1")))
    worker = sub.add_parser("worker", help="run a job worker (as many processes as you like)")
    worker.add_argument("--concurrency", type=int, default=1, help="jobs at once")
    jobs = sub.add_parser("jobs", help="the periodic jobs")
    jobs_sub = jobs.add_subparsers(dest="jobs_command", required=True)
    run_job = jobs_sub.add_parser("run", help="run one job now")
    run_job.add_argument("kind", choices=sorted(KINDS))
    jobs_sub.add_parser("list", help="the jobs and their schedules")
    sub.add_parser("migrate", help="apply database migrations")
    sub.add_parser("demo", help="erase everything and load the demo data")
    boot = sub.add_parser("bootstrap", help="create the first root unit and its admin")
    boot.add_argument("--root-name", required=True)
    boot.add_argument("--root-code", default=None)
    boot.add_argument("--username", required=True)
    boot.add_argument("--display-name", default="Administrator")
    args = parser.parse_args(argv)

    if args.command == "jobs" and args.jobs_command == "list":
        for kind in KINDS.values():
            print(f"{kind.name:20} {kind.cron:14} {kind.summary}")
        return
    _prepare_database()
    if args.command == "worker":
        from app.jobs.worker import run_worker

        asyncio.run(_disposing(run_worker(concurrency=args.concurrency)))
    elif args.command == "jobs":
        print(asyncio.run(_disposing(_run_job_now(KINDS[args.kind]))))
    elif args.command == "migrate":
        print("migrations applied")
    elif args.command == "demo":
        print(asyncio.run(_with_session("demo-reset")))
    elif args.command == "bootstrap":
        password = os.environ.get("LIANDONG_ADMIN_PASSWORD") or getpass.getpass("Admin password: ")
        print(
            asyncio.run(
                _with_session(
                    "bootstrap",
                    root_name=args.root_name,
                    root_code=args.root_code or "",
                    username=args.username,
                    display_name=args.display_name,
                    password=password,
                )
            )
        )
    elif args.command == "serve":
        print(asyncio.run(_with_session("demo-if-empty")), file=sys.stderr)
        import uvicorn

        from app.core.http_protocol import HTTP_PROTOCOL

        print(f"Liandong on http://{args.host}:{args.port}  (API docs: /docs)", file=sys.stderr)
        uvicorn.run(
            "app.main:create_app",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            http=HTTP_PROTOCOL,
            app_dir=str(Path(__file__).resolve().parents[1]),
        )


if __name__ == "__main__":
    main()
