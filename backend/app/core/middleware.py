"""Pure ASGI middleware: request ids, body limits, content types, HEAD, last-resort 500s."""

import contextvars
import logging
import re
import uuid
from contextlib import nullcontext

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.db import SAFE_METHODS, reads_held
from app.core.errors import PROBLEM_JSON, TYPE_BASE

log = logging.getLogger("liandong")
request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
client_addr_var: contextvars.ContextVar[str] = contextvars.ContextVar("client_addr", default="")

_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")  # fullmatch: `$` allows "\n"
_BODY_METHODS = {b"POST", b"PUT", b"PATCH"}
_FORM_PATHS = {"/api/v1/auth/token"}


class _BodyTooLarge(Exception):
    pass


def problem_body(status: int, title: str, detail: str, slug: str) -> bytes:
    return orjson.dumps(
        {"type": TYPE_BASE + slug, "title": title, "status": status, "detail": detail}
    )


class RequestContextMiddleware:
    """Tags every response with X-Request-ID and enforces API body rules.

    Sits outermost so even unexpected errors leave as problem+json with the request id.
    """

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _SAFE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        request_id_var.set(request_id)
        client = scope.get("client")
        client_addr_var.set(client[0] if client else "")
        rid_header = (b"x-request-id", request_id.encode())
        started = False
        path: str = scope.get("path", "")
        is_api = path.startswith("/api/")
        # HEAD is GET without the body (RFC 9110 9.3.2): the API's routes declare GET only.
        head = is_api and scope.get("method") == "HEAD"
        if head:
            scope = {**scope, "method": "GET"}

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = [*message.get("headers", []), rid_header]
            elif head:
                message = {**message, "body": b""}
            await send(message)

        async def reply(status: int, title: str, detail: str, slug: str) -> None:
            body = problem_body(status, title, detail, slug)
            await send_with_id(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [
                        (b"content-type", PROBLEM_JSON.encode()),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send_with_id({"type": "http.response.body", "body": body})

        if is_api and scope.get("method", "").encode() in _BODY_METHODS:
            declared = headers.get(b"content-length")
            if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
                await reply(413, "Content Too Large", self._too_large(), "content-too-large")
                return
            if not self._content_type_ok(path, headers):
                await reply(
                    415,
                    "Unsupported Media Type",
                    "Send the body as application/json"
                    + (
                        " (application/x-www-form-urlencoded here)." if path in _FORM_PATHS else "."
                    ),
                    "unsupported-media-type",
                )
                return

        received = 0
        too_large = False

        async def limited_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    too_large = True
                    raise _BodyTooLarge
            return message

        async def send_unless_too_large(message: Message) -> None:
            # FastAPI turns an error while reading the body into its own 400; a body cut
            # off for its size (streamed, no Content-Length) must still get 413.
            if too_large and not started:
                return
            await send_with_id(message)

        try:
            # A write's reads go through its session; its caller's read needs no holding.
            async with reads_held() if scope.get("method") in SAFE_METHODS else nullcontext():
                await self.app(scope, limited_receive if is_api else receive, send_unless_too_large)
        except Exception:
            if not too_large:
                log.exception("unhandled error on %s %s", scope.get("method"), path)
                if not started:
                    await reply(
                        500,
                        "Internal Server Error",
                        "An internal error occurred.",
                        "internal-error",
                    )
                return
        if too_large and not started:
            await reply(413, "Content Too Large", self._too_large(), "content-too-large")

    def _too_large(self) -> str:
        return f"The request body exceeds {self.max_body_bytes} bytes."

    @staticmethod
    def _content_type_ok(path: str, headers: dict[bytes, bytes]) -> bool:
        content_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        length = headers.get(b"content-length")
        if not content_type and (length in (None, b"0")) and b"transfer-encoding" not in headers:
            return True  # no body at all: an action without a note, say
        if path in _FORM_PATHS:
            return content_type in (b"application/x-www-form-urlencoded", b"multipart/form-data")
        return content_type == b"application/json" or content_type.endswith(b"+json")
