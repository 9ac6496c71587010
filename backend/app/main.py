"""create_app(): routers, middleware, error handlers."""

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import asyncpg
from fastapi import APIRouter, Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import RedirectResponse, Response

from app.access.deps import Public
from app.audit.router import router as audit_router
from app.auth.router import router as auth_router
from app.calendar import service as calendar_service
from app.calendar.router import router as calendar_router
from app.calendar.schemas import Readiness
from app.chasing.router import router as chasing_router
from app.core.config import get_settings
from app.core.db import dispose_engine, reader
from app.core.errors import Problem, install_error_handlers
from app.core.etags import json_response
from app.core.idempotency import REPLAYED_HEADER
from app.core.middleware import RequestContextMiddleware
from app.core.routing import include_prefixed
from app.core.spa import DEFAULT_SPA_DIR, SPAStaticFiles
from app.core.text import refuse_nul
from app.grants.router import router as grants_router
from app.issues.router import router as issues_router
from app.jobs.worker import worker_in_process
from app.notifications.router import router as notifications_router
from app.openapi import install_openapi
from app.orgs.router import router as orgs_router
from app.stats.router import router as stats_router
from app.tasks.router import router as tasks_router
from app.todo.router import router as todo_router
from app.users.router import router as users_router

API_PREFIX = "/api/v1"
OPENAPI_URL = f"{API_PREFIX}/openapi.json"


meta_router = APIRouter(tags=["meta"])


@meta_router.get("/health", dependencies=[Public], summary="Liveness")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@meta_router.get(
    "/health/ready",
    dependencies=[Public],
    response_model=Readiness,
    summary="Readiness: the database answers; how far the working-day calendar goes",
    responses={503: {"description": "The database does not answer"}},
)
async def ready() -> Response:
    try:
        async with reader() as connection:
            body = await calendar_service.readiness(connection)
    except (OSError, TimeoutError, asyncpg.PostgresError) as error:
        raise Problem(
            "The database does not answer.",
            status=503,
            slug="not-ready",
            headers={"Retry-After": "5"},
        ) from error
    return json_response(body)


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    async with AsyncExitStack() as stack:
        if get_settings().run_worker:
            await stack.enter_async_context(worker_in_process())
        yield
    await dispose_engine()


def create_app() -> FastAPI:
    settings = get_settings()
    settings.signing_secret()  # fail at start, not on the first request
    app = FastAPI(
        title="Liandong API",
        version="1.0.0",
        description="联动: tasks go down the chain, issues come up it.",
        lifespan=lifespan,
        docs_url="/docs",
        openapi_url=OPENAPI_URL,
        dependencies=[Depends(refuse_nul)],
    )
    install_error_handlers(app)
    install_openapi(app)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=True,
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=["ETag", "X-Request-ID", "Retry-After", REPLAYED_HEADER],
        )
    app.add_middleware(RequestContextMiddleware, max_body_bytes=settings.max_body_bytes)

    # FastAPI tries the routers one by one, in this order, and each nested router adds a
    # walk over everything below it to every request: so the domain routers hang directly
    # off the app, the busiest (the work-item lists and reads) first, each one passed
    # over by a comparison of the path with its prefixes (app/core/routing.py).
    for router in (
        tasks_router,
        issues_router,
        todo_router,
        notifications_router,
        stats_router,
        orgs_router,
        auth_router,
        users_router,
        grants_router,
        audit_router,
        calendar_router,
        chasing_router,
        meta_router,
    ):
        include_prefixed(app, router, API_PREFIX)

    # HEAD too: outside /api/ the middleware leaves HEAD to the routes (the SPA's files).
    @app.api_route(
        "/openapi.json", methods=["GET", "HEAD"], include_in_schema=False, dependencies=[Public]
    )
    async def openapi_at_the_root() -> RedirectResponse:
        """Where tools look for the document first; the SPA would answer it otherwise."""
        return RedirectResponse(OPENAPI_URL, status_code=308)

    spa_dir = settings.spa_dir or DEFAULT_SPA_DIR
    if (spa_dir / "index.html").exists():
        app.mount("/", SPAStaticFiles(directory=spa_dir, html=True), name="spa")
    return app
