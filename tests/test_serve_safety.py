"""`glossary serve` against hostile clients: loopback only, slow clients dropped, no traversal."""

from __future__ import annotations

import json
import socket
import time
import urllib.request
from urllib.parse import urlsplit

import pytest

from conftest import entry, start_serve, write_entries
from generator.serve import REQUEST_TIMEOUT


@pytest.fixture
def served(tmp_path):
    write_entries(tmp_path, dict([entry("relu")]))
    (tmp_path / "secret.txt").write_text("top secret")
    server, url = start_serve(tmp_path)
    yield tmp_path, url
    server.terminate()
    server.wait(timeout=10)


def raw(url: str, request: bytes, timeout: float = 10) -> bytes:
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as conn:
        conn.sendall(request)
        chunks = []
        while data := conn.recv(65536):
            chunks.append(data)
    return b"".join(chunks)


def status(url: str) -> dict:
    with urllib.request.urlopen(url + "__glossary/status", timeout=5) as response:
        return json.loads(response.read())


def _local_addresses() -> list[str]:
    found = set()
    for name in ("/proc/net/fib_trie",):
        try:
            lines = open(name).read().split("\n")
        except OSError:
            return []
        for i, line in enumerate(lines):
            if "/32 host LOCAL" in line and i > 0:
                found.add(lines[i - 1].split()[-1])
    return sorted(a for a in found if not a.startswith("127."))


def test_serve_listens_on_loopback_only(served):
    _, url = served
    port = urlsplit(url).port
    assert urlsplit(url).hostname == "127.0.0.1"
    listening = [line.split() for line in open("/proc/net/tcp").read().splitlines()[1:]]
    ours = [f[1] for f in listening if f[3] == "0A" and int(f[1].split(":")[1], 16) == port]
    assert ours == [f"0100007F:{port:04X}"]  # 127.0.0.1, not 0.0.0.0
    for address in _local_addresses():
        with pytest.raises(OSError):
            socket.create_connection((address, port), timeout=2).close()


@pytest.mark.slow
def test_a_client_that_never_finishes_blocks_neither_clients_nor_rebuilds(served):
    project, url = served
    parts = urlsplit(url)
    stuck = [socket.create_connection((parts.hostname, parts.port)) for _ in range(20)]
    for conn in stuck:
        conn.sendall(b"GET /index.html HTTP/1.1\r\nHost: x\r\n")  # never finished
    started = time.monotonic()
    assert b"200 OK" in raw(url, b"GET /concepts/relu.html HTTP/1.0\r\n\r\n")
    assert time.monotonic() - started < 2
    before = status(url)["build"]
    write_entries(project, dict([entry("relu", title="Rebuilt")]))
    deadline = time.monotonic() + 60
    while status(url)["build"] == before and time.monotonic() < deadline:
        time.sleep(0.2)
    assert status(url)["build"] > before
    assert b"Rebuilt" in raw(url, b"GET /concepts/relu.html HTTP/1.0\r\n\r\n")
    for conn in stuck:
        conn.close()


@pytest.mark.slow
def test_a_stuck_client_is_disconnected_after_the_request_timeout(served):
    _, url = served
    parts = urlsplit(url)
    conn = socket.create_connection((parts.hostname, parts.port))
    conn.sendall(b"GET /index.html HTTP/1.1\r\n")
    conn.settimeout(REQUEST_TIMEOUT + 5)
    started = time.monotonic()
    data = conn.recv(100)  # raises socket.timeout if the server held on to it
    conn.close()
    assert data == b""
    assert REQUEST_TIMEOUT - 1 < time.monotonic() - started < REQUEST_TIMEOUT + 3


@pytest.mark.parametrize("path", ["/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt",
                                  "/concepts/..%5c..%5csecret.txt", "//etc/passwd",
                                  "/%252e%252e/secret.txt", "/index.html%00/../../secret.txt"])
def test_traversal_over_the_wire_is_refused(served, path):
    _, url = served
    response = raw(url, f"GET {path} HTTP/1.0\r\n\r\n".encode())
    assert b"top secret" not in response and b"root:" not in response
    assert response.split(b"\r\n", 1)[0].split()[1] in (b"403", b"404")
