"""Bounding a whole HTTP exchange by one deadline, and reading answers within a limit.

http.client gets a socket whose every send and receive has only the time left, so a
receiver that trickles a byte at a time cannot hold a worker past the deadline.
"""

from __future__ import annotations

import http.client
import io
import socket
import time
from typing import Any


def remaining(deadline: float) -> float:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError("deadline exceeded")
    return remaining


class DeadlineSocket:
    """What http.client sees: every send and receive gets only the time that is left.

    A per-operation socket timeout alone would let a receiver that trickles a byte at
    a time hold a worker forever.
    """

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self._sock = sock
        self._deadline = deadline

    def _arm(self) -> socket.socket:
        self._sock.settimeout(remaining(self._deadline))
        return self._sock

    def sendall(self, data: bytes) -> None:
        view = memoryview(data)
        while view:  # in slices, so a receiver reading slowly cannot stretch the deadline
            view = view[self._arm().send(view[:65536]):]

    def makefile(self, mode: str = "rb", *args: Any, **kwargs: Any) -> io.BufferedReader:
        return io.BufferedReader(_DeadlineReader(self))

    def recv_into(self, buffer: Any) -> int:
        return self._arm().recv_into(buffer)

    def close(self) -> None:
        """The caller owns and closes the real socket."""


class _DeadlineReader(io.RawIOBase):
    def __init__(self, sock: DeadlineSocket) -> None:
        self._sock = sock

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        return self._sock.recv_into(buffer)


def read_some(response: http.client.HTTPResponse, limit: int) -> bytes:
    """At most `limit` bytes; once the status is in, a body cut short still counts."""
    data = b""
    try:
        while len(data) < limit:
            chunk = response.read1(limit - len(data))  # keeps what came before a timeout
            if not chunk:
                break
            data += chunk
    except http.client.IncompleteRead as short:
        data += short.partial
    except (OSError, http.client.HTTPException):
        pass  # the receiver has answered; the excerpt is only informative
    return data[:limit]


class TooLarge(http.client.HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


def read_all(response: http.client.HTTPResponse, limit: int) -> bytes:
    """The whole body, or TooLarge as soon as it announces or sends more than `limit`."""
    announced = response.getheader("Content-Length", "")
    if announced.strip().isdigit() and int(announced) > limit:
        raise TooLarge(limit)
    chunks: list[bytes] = []
    size = 0
    while chunk := response.read1(65536):  # a timeout or a short body raises, as it should
        size += len(chunk)
        if size > limit:
            raise TooLarge(limit)
        chunks.append(chunk)
    if response.length:  # the connection closed before the announced length arrived
        raise http.client.IncompleteRead(b"".join(chunks), response.length)
    return b"".join(chunks)


def size_label(limit: int) -> str:
    for unit, factor in (("MB", 1_000_000), ("kB", 1_000)):
        if limit >= factor:
            return f"{limit / factor:g} {unit}"
    return f"{limit} bytes"
