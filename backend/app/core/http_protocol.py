"""The HTTP/1.1 protocol `liandong serve` runs: uvicorn's httptools protocol, with a limit
on the request target and problem+json for the requests it cannot hand to the app.

A request the server refuses before the app runs (a malformed one, or a target too long
for httptools to parse: past 64 KiB) would get uvicorn's plain-text 400 without a request
id. Here a target (path and query) longer than `MAX_TARGET_BYTES` is a 414 URI Too Long,
anything else unparsable a 400, both as problem+json with an `X-Request-ID`, as every
other answer of the API.
"""

import uuid

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from app.core.errors import PROBLEM_JSON
from app.core.middleware import problem_body

MAX_TARGET_BYTES = 16 * 1024
HTTP_PROTOCOL = f"{__name__}:ProblemHttpToolsProtocol"  # uvicorn's `http` setting


class _TargetTooLong(Exception):
    pass


class ProblemHttpToolsProtocol(HttpToolsProtocol):
    target_too_long = False

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        if len(self.url) > MAX_TARGET_BYTES:
            self.target_too_long = True
            raise _TargetTooLong  # httptools stops parsing; uvicorn then answers via 400

    def send_400_response(self, msg: str) -> None:
        if self.target_too_long:
            status, title, slug = 414, "URI Too Long", "uri-too-long"
            detail = f"The request target (path and query) exceeds {MAX_TARGET_BYTES} bytes."
        else:
            status, title, slug = 400, "Bad Request", "bad-request"
            detail = "The request is not valid HTTP/1.1."
        body = problem_body(status, title, detail, slug)
        head = [f"HTTP/1.1 {status} {title}\r\n".encode()]
        head += [
            name + b": " + value + b"\r\n" for name, value in self.server_state.default_headers
        ]
        head += [
            f"content-type: {PROBLEM_JSON}\r\n".encode(),
            f"content-length: {len(body)}\r\n".encode(),
            f"x-request-id: {uuid.uuid4().hex}\r\n".encode(),
            b"connection: close\r\n\r\n",
        ]
        self.transport.write(b"".join(head) + body)
        self.transport.close()
