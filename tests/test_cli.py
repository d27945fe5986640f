"""The command line as a terminal user sees it: progress, help, Ctrl-C."""

from __future__ import annotations

import fcntl
import os
import pty
import signal
import struct
import subprocess
import sys
import termios

from conftest import entry, start_serve, write_entries


def _read_all(fd: int) -> str:
    chunks = []
    while True:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    return b"".join(chunks).decode("utf-8", "replace")


def test_progress_bar_on_a_terminal_only(tmp_path):
    write_entries(tmp_path, dict([entry("a"), entry("b")]))
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    proc = subprocess.Popen([sys.executable, "-m", "generator", "build"], cwd=tmp_path,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=follower)
    os.close(follower)
    terminal = _read_all(leader)
    proc.wait(timeout=120)
    os.close(leader)
    assert proc.returncode == 0
    assert "snippets:" in terminal and "0/2" in terminal and "entry/s" in terminal
    quiet = subprocess.run([sys.executable, "-m", "generator", "build", "--no-cache"], cwd=tmp_path,
                           capture_output=True, text=True)
    assert "0/2" not in quiet.stderr and "snippets:" not in quiet.stderr


def test_help_lists_the_commands():
    out = subprocess.run([sys.executable, "-m", "generator", "--help"], capture_output=True, text=True)
    assert out.returncode == 0
    for command in ("build", "check", "serve", "new"):
        assert command in out.stdout


def test_serve_exits_cleanly_on_ctrl_c(tmp_path):
    write_entries(tmp_path, dict([entry("a")]))
    proc, _url = start_serve(tmp_path)
    proc.send_signal(signal.SIGINT)
    rest = proc.stderr.read()
    assert proc.wait(timeout=15) == 0
    assert "stopped" in rest and "Traceback" not in rest
