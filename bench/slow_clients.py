"""Clients that start a POST and then send its body a few bytes a second (a slowloris of bodies).

Each connection sends the headers of a wizard finish POST (a real CSRF cookie, Content-Length:
100000) and then trickles the body, so it never completes within a run. With sync workers every
such connection held a worker; the benchmark checks pages are still served while they are open.
"""

from __future__ import annotations

import select
import socket
import threading
from dataclasses import dataclass

BODY_BYTES = 100_000


@dataclass
class SlowClientsReport:
    opened: int
    still_waiting: int  # open, unanswered, at the end: the server held them, not a worker
    bytes_per_second: int


class SlowClients:
    """`count` trickling POST connections to 127.0.0.1:port, open while the `with` lasts."""

    def __init__(self, port: int, path: str, csrf_cookie: str, *, count: int, per_second: int):
        self.port = port
        self.head = (
            f"POST {path} HTTP/1.1\r\n"
            "Host: 127.0.0.1\r\n"
            "X-Forwarded-Proto: https\r\n"
            f"Cookie: csrftoken={csrf_cookie}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {BODY_BYTES}\r\n\r\n"
        ).encode("ascii")
        self.count = count
        self.per_second = per_second
        self.sockets: list[socket.socket] = []
        self.closed: set[int] = set()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._trickle, daemon=True)
        self.report: SlowClientsReport | None = None

    def __enter__(self) -> SlowClients:
        for _ in range(self.count):
            connection = socket.create_connection(("127.0.0.1", self.port), timeout=5)
            connection.sendall(self.head)
            self.sockets.append(connection)
        self.thread.start()
        return self

    def _trickle(self) -> None:
        sent = 0
        while not self.stopping.wait(1.0) and sent + self.per_second < BODY_BYTES:
            for number, connection in enumerate(self.sockets):
                if number in self.closed:
                    continue
                try:
                    connection.sendall(b"a" * self.per_second)
                except OSError:
                    self.closed.add(number)
            sent += self.per_second

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        self.thread.join()
        waiting = 0
        for number, connection in enumerate(self.sockets):
            # Readable means the server answered or closed it: it did not wait for the body.
            readable, _, _ = select.select([connection], [], [], 0)
            if number not in self.closed and not readable:
                waiting += 1
            connection.close()
        self.report = SlowClientsReport(len(self.sockets), waiting, self.per_second)
