"""ASGI middleware in front of every route: body size limit, bearer-token auth and
security headers.

Auth: when a token is given, every request needs `Authorization: Bearer <token>` except
GET /api/health, the static UI shell (HTML/JS/CSS that holds no data), the /docs explorer
with its bundled assets, and /openapi.json (it describes the API; it holds no data).
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from typing import Any

from fastapi.responses import JSONResponse, Response
from starlette.types import Message, Receive, Scope, Send

MAX_BODY_BYTES = 16 * 1024 * 1024
# The UI shell and the API explorer hold no data; /openapi.json only describes the API.
PUBLIC_PATHS = frozenset({"/", "/api/health", "/report.css", "/docs", "/openapi.json"})
UI_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
          "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'")


def json_error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"detail": message}, status_code=status, headers=headers)


class Guard:
    """ASGI middleware: body size limit, bearer-token auth and security headers."""

    def __init__(self, app: Any, token: str | None):
        self.app = app
        self.token = token.encode() if token else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        headers = {k.decode("latin-1").lower(): v for k, v in scope.get("headers", [])}
        if self.token and not _public(path) and not self._authorised(headers):
            await json_error(401, "missing or wrong bearer token",
                              {"WWW-Authenticate": "Bearer"})(scope, receive, send)
            return
        length = headers.get("content-length")
        if length is not None:
            try:
                too_big = int(length) > MAX_BODY_BYTES
            except ValueError:
                await json_error(400, "invalid Content-Length")(scope, receive, send)
                return
            if too_big:
                await _too_large()(scope, receive, send)
                return
        seen = 0
        rejected = False  # the guard has answered 413 itself; the app's reply is dropped

        async def counting_receive() -> Message:
            nonlocal seen, rejected
            if rejected:
                return {"type": "http.disconnect"}
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > MAX_BODY_BYTES:  # a chunked upload has no Content-Length to check
                rejected = True
                await _too_large()(scope, receive, send)
                # The app sees a client that went away and stops reading the body.
                return {"type": "http.disconnect"}
            return message

        async def secure_send(message: Message) -> None:
            if rejected:
                return
            if message["type"] == "http.response.start":
                extra = [(b"x-content-type-options", b"nosniff"),
                         (b"referrer-policy", b"no-referrer")]
                if not path.startswith("/api/"):
                    extra.append((b"content-security-policy", UI_CSP.encode()))
                message = {**message, "headers": list(message.get("headers", [])) + extra}
            await send(message)

        await self.app(scope, counting_receive, secure_send)

    def _authorised(self, headers: Mapping[str, bytes]) -> bool:
        value = headers.get("authorization", b"")
        scheme, _, given = value.partition(b" ")
        return (self.token is not None and scheme.lower() == b"bearer"
                and hmac.compare_digest(given.strip(), self.token))


def _public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(("/static/", "/docs/assets/"))


def _too_large() -> Response:
    return json_error(413, f"request body larger than {MAX_BODY_BYTES // (1024 * 1024)} MiB")
