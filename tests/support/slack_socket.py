"""Slack's end of a Socket Mode WebSocket, on loopback: sends envelopes, collects what the app
answers. The Web API fake hands out its address from `apps.connections.open`; an app that
reconnects (or a new process) gets a session of its own."""

from __future__ import annotations

import json
import queue
import threading

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection, serve

from tests.support.slack_http import judge_ack


class SlackSocket:
    def __init__(self) -> None:
        self.outgoing: queue.Queue[dict] = queue.Queue()
        self.answers: queue.Queue[dict] = queue.Queue()
        self.connected = threading.Event()  # cleared by the caller to wait for the next one
        self.server = serve(self._session, "127.0.0.1", 0)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.server.socket.getsockname()[1]}/link"

    def _session(self, connection: ServerConnection) -> None:
        connection.send(json.dumps({"type": "hello", "num_connections": 1}))
        self.connected.set()
        threading.Thread(target=self._forward, args=(connection,), daemon=True).start()
        try:
            for message in connection:
                answer = json.loads(message)
                if isinstance(answer.get("payload"), dict):
                    judge_ack(json.dumps(answer["payload"]))
                self.answers.put(answer)
        except ConnectionClosed:  # the app's process was killed
            pass

    def _forward(self, connection: ServerConnection) -> None:
        while True:
            envelope = self.outgoing.get()
            try:
                connection.send(json.dumps(envelope))
            except ConnectionClosed:
                self.outgoing.put(envelope)  # for the next session
                return

    def send(self, envelope_id: str, kind: str, payload: dict) -> dict:
        """One envelope; returns the app's acknowledgement of it."""
        self.outgoing.put(
            {
                "envelope_id": envelope_id,
                "type": kind,
                "payload": payload,
                "accepts_response_payload": False,
            }
        )
        while True:
            answer = self.answers.get(timeout=10)
            if answer.get("envelope_id") == envelope_id:
                return answer

    def close(self) -> None:
        self.server.shutdown()
