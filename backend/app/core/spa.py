"""Serving the built SPA at `/`, with index.html for client-side routes."""

from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Match
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_SPA_DIR = REPO_ROOT / "frontend" / "dist"


class SPAStaticFiles(StaticFiles):
    """Static files; unknown non-API paths fall back to index.html."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Mounted at "/", this matches every path fully, so the router would pick it over
        # a route that matches the path but not the method: hand those back for their 405.
        for route in getattr(scope.get("app"), "routes", []):
            match, child_scope = route.matches(scope)
            if match == Match.PARTIAL:
                await route.handle({**scope, **child_scope}, receive, send)
                return
        await super().__call__(scope, receive, send)

    async def get_response(self, path: str, scope: Scope) -> Response:
        if path == "api" or path.startswith("api/"):
            raise HTTPException(status_code=404)
        try:
            response = await super().get_response(path, scope)
        except HTTPException as exc:
            if exc.status_code != 404:
                raise
            response = await super().get_response("index.html", scope)
        if response.status_code == 404:
            response = await super().get_response("index.html", scope)
        if path.startswith("assets/"):
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        else:
            response.headers["Cache-Control"] = "no-cache"
        return response
