"""What the webhook tests share: a real HTTP receiver on 127.0.0.1, a registered webhook and
a referral sent to PNM Mekaar."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sinergi.partners import services, webhook_services, webhooks
from sinergi.partners.lifecycle import Step
from sinergi.partners.models import Referral, Webhook
from sinergi.partners.tests.conftest import World
from sinergi.test import Personas

SECRET = "s3cret-of-mekaar-0123456789"


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def payload(self) -> Any:
        return json.loads(self.body)


@dataclass
class Script:
    """What the receiver answers: the queued statuses first, then `then`."""

    answers: deque[int] = field(default_factory=deque)
    then: int = 200
    delay: float = 0.0  # seconds before answering
    location: str = ""  # sent with a 3xx


class Receiver:
    """An HTTP server in a thread that records every request and answers as scripted."""

    def __init__(self, server: ThreadingHTTPServer, script: Script, host: str = "127.0.0.1"):
        self.server = server
        self.script = script
        self.received: list[Received] = []
        self.host = host

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def url(self, path: str = "/sinergi/hook", scheme: str = "http") -> str:
        return f"{scheme}://{self.host}:{self.port}{path}"

    def answer(self, *statuses: int, then: int = 200) -> None:
        self.script.answers.extend(statuses)
        self.script.then = then


def serve(wrap: Any = None) -> Iterator[Receiver]:
    """Run a receiver until the generator is closed; `wrap` turns its socket into TLS."""
    script = Script()
    received: list[Received] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            received.append(Received(self.path, dict(self.headers.items()), body))
            if script.delay:
                time.sleep(script.delay)
            status = script.answers.popleft() if script.answers else script.then
            self.send_response(status)
            if script.location:
                self.send_header("Location", script.location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if wrap is not None:
        server.socket = wrap(server.socket)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    receiver = Receiver(server, script)
    receiver.received = received
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def register(
    world: World,
    url: str,
    *,
    events: tuple[str, ...] = webhooks.EVENTS,
    secret: str | None = SECRET,
) -> Webhook:
    return webhook_services.register_webhook(
        user=world.staff, partner=world.mekaar, url=url, events=events, secret=secret
    )


def sent_referral(world: World, personas: Personas) -> Referral:
    """A referral of the Rembang actor to Mekaar's credit offer, sent (referral.created)."""
    referral = services.propose_referral(
        user=personas.rembang, actor=world.actor, offer=world.credit, note="butuh modal"
    )
    return services.move_referral(user=personas.rembang, referral=referral, step=Step(to="sent"))


def accept(world: World, referral: Referral) -> Referral:
    """Mekaar accepts it (referral.updated)."""
    return services.move_referral(user=world.staff, referral=referral, step=Step(to="accepted"))
