"""``GET /health`` for monitors: a tiny HTTP server beside the bot, in polling and webhook mode.

It answers ``200`` with ``{"status": "ok", "database": "ok", "playbook": "2026.11.1", ...}`` while
the bot can reach its database, ``503`` with the reason when it cannot, ``404`` for any other
path. It listens on ``HEALTH_LISTEN:HEALTH_PORT`` (``HEALTH_PORT=0``, the default, turns it off).
The standard library's asyncio server is enough for one path; it runs on the bot's event loop and
checks the database in a worker thread, so a slow database never blocks the bot.
"""

from __future__ import annotations

import asyncio
import json
import logging

from bot.services.health import check
from bot.services.runtime import Runtime

log = logging.getLogger(__name__)
READ_TIMEOUT_S = 5
MAX_HEADER_LINES = 100
REASONS = {200: "OK", 404: "Not Found", 405: "Method Not Allowed", 503: "Service Unavailable"}


async def serve_health(runtime: Runtime, host: str, port: int) -> asyncio.AbstractServer:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            status, body = await _answer(runtime, reader)
            payload = json.dumps(body).encode()
            head = (
                f"HTTP/1.1 {status} {REASONS[status]}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n"
            )
            writer.write(head.encode() + payload)
            await writer.drain()
        except (TimeoutError, ConnectionError, asyncio.IncompleteReadError):
            pass  # a monitor that hung up or never finished its request
        finally:
            writer.close()

    server = await asyncio.start_server(handle, host, port)
    log.info("health check on http://%s:%s/health", host, port)
    return server


async def _answer(runtime: Runtime, reader: asyncio.StreamReader) -> tuple[int, dict[str, object]]:
    request = (await asyncio.wait_for(reader.readline(), READ_TIMEOUT_S)).decode("latin-1").split()
    for _ in range(MAX_HEADER_LINES):  # the headers: nothing in them matters here
        if (await asyncio.wait_for(reader.readline(), READ_TIMEOUT_S)).strip() == b"":
            break
    if len(request) < 2 or request[0] not in ("GET", "HEAD"):
        return 405, {"status": "error", "error": "use GET /health"}
    if request[1].split("?", 1)[0] != "/health":
        return 404, {"status": "error", "error": "the health check is at /health"}
    health = await asyncio.to_thread(check, runtime)
    return (200 if health.ok else 503), health.as_json()
