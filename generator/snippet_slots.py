"""Sandboxes the forking worker reuses: one per parallel slot, a fresh process per entry.

Starting a sandbox (a pids cgroup, PID and network namespaces, a read-only view of
the file system) is kernel work that cost tens of ms per entry, more than most
snippets take; the entry's own process only needs a fork. So each of the worker's
slots starts one sandbox and keeps it while the worker lives::

    worker --fork--> starter (joins the slot's cgroup, unshares the namespaces, stays
    as the keeper's parent) --fork--> keeper (pid 1 of the namespace, read-only view,
    never runs entry code) --fork--> runner (one per entry: limits, its own IPC
    namespace, no capabilities; runs the snippet, see ``snippet_worker.child_main``)

Between two entries the keeper kills every process left in its namespace and the
worker empties the slot's folder (the only writable one), so no entry sees what
another entry's run left behind: its process is a fresh fork of the keeper, which
holds no entry's state. A slot whose entry timed out or whose keeper died is torn
down whole (the namespace dies with its keeper) and a new one is started.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

from generator import sandbox

RAW_OUTPUT_CAP = 20_000
"""Bytes kept of what an entry's processes write to their file descriptors 1 and 2."""


# --- in the sandbox: the starter and the keeper -------------------------------------------

def _starter_main(folder: Path, commands: int, status: int, output: int,
                  cgroup: sandbox.PidsCgroup | None) -> None:
    """Join the slot's cgroup, unshare the namespaces, start the keeper, clean up after it."""
    sandbox.die_with_parent()
    if cgroup is not None:
        cgroup.add(os.getpid())
    process_base = None
    if cgroup is None and hasattr(os, "getuid") and os.getuid() != 0:
        process_base = sandbox.count_processes(os.getuid())
    sandbox.set_subreaper()  # without a PID namespace, orphans come back here
    namespaces = sandbox.unshare_namespaces()
    keeper = os.fork()
    if keeper == 0:
        code = 1
        try:
            sandbox.die_with_parent()
            _keeper_main(folder, commands, status, output, "pid" in namespaces, process_base)
            code = 0
        finally:
            os._exit(code)
    os.write(status, (json.dumps({"keeper": keeper}) + "\n").encode())
    for fd in (commands, status, output):
        os.close(fd)
    os.waitpid(keeper, 0)
    sandbox.kill_and_reap(cgroup.procs if cgroup is not None else set, keep={os.getpid()})


def _keeper_main(folder: Path, commands: int, status: int, output: int,
                 pid_namespace: bool, process_base: int | None) -> None:
    """Run each job the worker sends in a fresh runner; after it, leave no process behind."""
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    sandbox.set_subreaper()
    sandbox.read_only_view([folder], new_proc=pid_namespace)
    with os.fdopen(commands, "rb") as lines:
        for line in lines:  # the end of input: the worker retires the slot
            job = json.loads(line)
            runner = os.fork()
            if runner == 0:
                code = 1
                try:
                    os.setpgid(0, 0)  # a group of its own: killed whole even without /proc
                    os.dup2(output, 1)
                    os.dup2(output, 2)
                    os.closerange(3, os.sysconf("SC_OPEN_MAX"))  # nothing of the keeper's pipes
                    from generator.snippet_worker import child_main
                    child_main(folder, job, process_base)
                    code = 0
                finally:
                    os._exit(code)
            runner_status = _wait_for(runner)
            _clear(pid_namespace, runner)
            os.write(status, (json.dumps({"runner_status": runner_status}) + "\n").encode())


def _wait_for(runner: int) -> int:
    """Reap every process (the keeper adopts orphans) until ``runner`` ends; return its status."""
    while True:
        done, status = os.waitpid(-1, 0)
        if done == runner:
            return status


def _clear(pid_namespace: bool, runner: int) -> None:
    """Kill and reap every process of the namespace but the keeper itself."""
    try:
        os.killpg(runner, signal.SIGKILL)  # what the runner started and did not move away
    except OSError:
        pass
    if pid_namespace:  # pid 1: kill(-1) reaches every other process of the namespace
        try:
            os.kill(-1, signal.SIGKILL)
        except ProcessLookupError:
            pass
        while True:
            try:
                os.waitpid(-1, 0)
            except ChildProcessError:
                return
    sandbox.kill_and_reap(set, keep={os.getpid(), os.getppid()})


# --- in the worker: one slot --------------------------------------------------------------

@dataclass
class Slot:
    """A sandbox kept by the worker, and the entry it runs now (if any)."""

    folder: Path
    starter: int
    keeper: int
    commands: int
    status: int
    output: int
    cgroup: sandbox.PidsCgroup | None
    job: dict | None = None
    started: float = 0.0
    head: bytearray = field(default_factory=bytearray)
    pending: bytes = b""

    @classmethod
    def start(cls, folder: Path, owner: int, number: int) -> Slot:
        """Start a sandbox whose writable folder is ``folder`` (created here)."""
        (folder / "work").mkdir(parents=True)
        cgroup = sandbox.PidsCgroup.create(f"glossary-{owner}-{os.getpid()}-{number}",
                                           sandbox.PROCESS_CAP + 3)
        commands_in, commands = os.pipe()
        status, status_out = os.pipe()
        output, output_in = os.pipe()
        starter = os.fork()
        if starter == 0:
            code = 1
            try:
                _close_all_but({0, 1, 2, commands_in, status_out, output_in})  # other slots' pipes too
                os.setpgid(0, 0)
                _starter_main(folder, commands_in, status_out, output_in, cgroup)
                code = 0
            finally:
                os._exit(code)
        for fd in (commands_in, status_out, output_in):
            os.close(fd)
        os.set_blocking(output, False)
        slot = cls(folder, starter, 0, commands, status, output, cgroup)
        line = slot.read_status(block=True)
        slot.keeper = int(line["keeper"]) if line else 0
        return slot

    def send(self, job: dict) -> None:
        """Hand the keeper one entry's job; the clock of its time limit starts now."""
        self.job, self.started, self.head = job, time.monotonic(), bytearray()
        os.write(self.commands, (json.dumps(job) + "\n").encode())

    def read_output(self) -> None:
        """Keep the head of what the entry's processes printed to their descriptors; drop the rest."""
        while True:
            try:
                data = os.read(self.output, 1 << 16)
            except (BlockingIOError, InterruptedError):
                return
            if not data:
                return
            if len(self.head) < RAW_OUTPUT_CAP:
                self.head += data[:RAW_OUTPUT_CAP - len(self.head)]

    def read_status(self, block: bool = False) -> dict | None:
        """Return the keeper's next message, None while there is none; ``{}`` once it is gone."""
        while b"\n" not in self.pending:
            if not block and not select.select([self.status], [], [], 0)[0]:
                return None
            data = os.read(self.status, 4096)
            if not data:
                return {}
            self.pending += data
        line, _, self.pending = self.pending.partition(b"\n")
        return json.loads(line)

    def reset(self) -> bool:
        """Empty the slot's folder for the next entry (every process of the last one is gone)."""
        self.job = None
        for name in ("result.json", "progress"):
            try:
                (self.folder / name).unlink()
            except FileNotFoundError:
                pass
            except OSError:
                return False
        shutil.rmtree(self.folder / "work", ignore_errors=True)
        try:
            (self.folder / "work").mkdir()
        except OSError:
            return False
        return sorted(p.name for p in self.folder.iterdir()) == ["work"]

    def retire(self) -> None:
        """Tear the sandbox down: its keeper killed (the namespace with it), its folder removed."""
        os.close(self.commands)  # a keeper waiting for work ends at the end of its input
        if self.job is not None and self.keeper:
            _signal(self.keeper)
        try:
            os.waitpid(self.starter, 0)  # the starter kills whatever the keeper left
        except ChildProcessError:
            pass
        for fd in (self.status, self.output):
            os.close(fd)
        if self.cgroup is not None:
            self.cgroup.remove()
        shutil.rmtree(self.folder, ignore_errors=True)


def _close_all_but(keep: set[int]) -> None:
    """Close every file descriptor of this process except ``keep``."""
    start = 0
    for fd in sorted(keep) + [os.sysconf("SC_OPEN_MAX")]:
        if start < fd:  # closerange(n, n) closes everything from n on (close_range(n, n - 1))
            os.closerange(start, fd)
        start = fd + 1


def _signal(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
