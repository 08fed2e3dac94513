"""A tiny Bot API over HTTP on 127.0.0.1, for tests that run the real ``cadencia run`` process.

Every ``sendMessage`` is appended (and flushed) to :attr:`FakeBotApiServer.log` before it is
answered, like Telegram would have delivered it. ``hold_after=n`` makes the server keep the
answer of the n-th ``sendMessage`` (already logged: delivered) until :meth:`release` — the
test kills the bot while that request is in flight, between "sent" and "marked sent".
:meth:`FakeBotApiServer.push` queues an update for the bot's next ``getUpdates``.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

CONFLICT = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"


class FakeBotApiServer:
    def __init__(self, *, hold_after: int | None = None, conflict: bool = False) -> None:
        self.log: list[dict[str, Any]] = []
        self.calls: list[tuple[str, dict[str, Any]]] = []
        """Every method called, with its parameters, in order."""
        self.conflict = conflict
        """Answer getUpdates with Telegram's 409 (another instance is polling this token)."""
        self.hold_after = hold_after
        self.held = threading.Event()
        self._release = threading.Event()
        self._lock = threading.Lock()
        self._message_ids = 0
        self._updates: list[dict[str, Any]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                if "json" in (self.headers.get("Content-Type") or ""):
                    params = json.loads(body or "{}")
                else:
                    params = {k: v[0] for k, v in parse_qs(body).items()}
                method = self.path.rsplit("/", 1)[-1]
                with server._lock:
                    server.calls.append((method, params))
                status, body = 200, {"ok": True, "result": None}
                if method == "getUpdates" and server.conflict:
                    time.sleep(0.2)
                    status, body = 409, {"ok": False, "error_code": 409, "description": CONFLICT}
                else:
                    body["result"] = server.answer(method, params)
                data = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass

            do_GET = do_POST

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._http.daemon_threads = True
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._http.server_address[1]}/bot"

    def __enter__(self) -> FakeBotApiServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._release.set()
        self._http.shutdown()
        self._http.server_close()

    def release(self) -> None:
        self._release.set()

    def push(self, update: dict[str, Any]) -> None:
        """Queue ``update`` (a Bot API Update as JSON) for the bot's next ``getUpdates``."""
        with self._lock:
            self._updates.append(update)

    def sent_messages(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.log)

    def answer(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return {"id": 123, "is_bot": True, "first_name": "Cadência", "username": "cadencia_test_bot"}
        if method == "getUpdates":
            offset = int(params.get("offset") or 0)
            with self._lock:  # what the bot confirmed (offset) is gone, as at Telegram
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                waiting = list(self._updates)
            if not waiting:
                time.sleep(min(float(params.get("timeout") or 0), 0.5))
            return waiting
        if method != "sendMessage":
            return True
        with self._lock:
            self.log.append(params)
            self._message_ids += 1
            message_id, count = self._message_ids, len(self.log)
        if self.hold_after is not None and count == self.hold_after:
            self.held.set()
            self._release.wait(30)
        chat_id = int(params["chat_id"])
        return {
            "message_id": message_id,
            "date": int(time.time()),
            "text": params.get("text", ""),
            "chat": {"id": chat_id, "type": "private", "first_name": "Rep"},
            "from": {"id": 123, "is_bot": True, "first_name": "Cadência"},
        }
