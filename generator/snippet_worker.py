"""The snippet worker: runs entries' python blocks as guests, never in the generator.

The generator starts this module as ``python -m generator.snippet_worker`` with a
scrubbed environment and sends it every job as one JSON line on stdin. In
``fork`` mode it imports numpy and matplotlib once, then forks one child per
entry (cheap: the imports are already done); in ``spawn`` mode it starts a fresh
interpreter per entry (``--child DIR``). Either way the child sets its limits,
runs the blocks in one namespace, and writes ``result.json`` into its job folder.
The worker enforces the wall-clock limit and prints one JSON result per job.
"""

from __future__ import annotations

import ctypes
import gc
import importlib.abc
import importlib.util
import io
import json
import linecache
import os
import re
import resource
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import deque
from pathlib import Path

from generator import sandbox
from generator.figure_svg import save_svg
from generator.snippet_slots import RAW_OUTPUT_CAP, Slot

OUTPUT_CAP = 10_000
"""Characters of printed output kept per block."""
FIGURE_CAP = 5_000_000
"""Bytes of SVG kept per figure."""
MAX_FIGURES = 20


# --- in the child: run one entry ------------------------------------------------

class CappedWriter(io.TextIOBase):
    """A text stream that keeps the first ``cap`` characters written to it."""

    def __init__(self, cap: int):
        self.cap, self.parts, self.size, self.truncated = cap, [], 0, False

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        room = self.cap - self.size
        if len(text) > room:
            self.truncated = True
            text = text[:max(room, 0)]
        self.parts.append(text)
        self.size += len(text)
        return len(text)

    def getvalue(self) -> str:
        return "".join(self.parts)


def _reset_state(np, plt, random) -> None:
    plt.close("all")
    plt.rcdefaults()
    plt.rcParams["svg.fonttype"] = "none"  # text stays text: smaller, selectable
    np.random.seed(0)
    random.seed(0)


def _figure_alt(fig, number: int) -> str:
    label = fig.get_label()
    if label and not label.startswith("_"):
        return label
    if getattr(fig, "_suptitle", None) is not None and fig._suptitle.get_text():
        return fig._suptitle.get_text()
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    if titles:
        return "; ".join(titles)
    return f"Figure {number}"


def _save_figures(plt, slug: str, block: int) -> list[dict]:
    figures = []
    for number, fignum in enumerate(plt.get_fignums()[:MAX_FIGURES], start=1):
        fig = plt.figure(fignum)
        # A salt per figure makes every id unique, so figures never clash on one page.
        plt.rcParams["svg.hashsalt"] = f"{slug}-{block}-{number}"
        svg = prefix_ids(save_svg(fig), f"{slug}-b{block + 1}-f{number}-")
        if len(svg) <= FIGURE_CAP:
            figures.append({"svg": svg, "alt": _figure_alt(fig, number)})
    plt.close("all")
    return figures


def prefix_ids(svg: str, prefix: str) -> str:
    """Make every id of a figure unique on a page (matplotlib reuses ``figure_1``, ``patch_1``)."""
    ids = set(re.findall(r'\bid="([^"]+)"', svg))
    if not ids:
        return svg

    def fix(match: re.Match) -> str:
        name = match.group(2)
        return f"{match.group(1)}{prefix}{name}" if name in ids else match.group(0)

    svg = re.sub(r'(\bid=")([^"]+)', fix, svg)
    return re.sub(r'((?:href="|url\()#)([^")]+)', fix, svg)


def _error_info(exc: BaseException, path: str) -> dict:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == path]
    line = frames[-1].lineno if frames else 0
    if isinstance(exc, SyntaxError) and exc.filename == path:
        line = exc.lineno or line
    lines = ["Traceback (most recent call last, the entry's own lines only):\n"]
    lines += traceback.format_list(frames)
    lines += traceback.format_exception_only(type(exc), exc)
    message = "".join(traceback.format_exception_only(type(exc), exc)).strip().splitlines()[-1]
    kind = "memory" if isinstance(exc, MemoryError) else "excepted"
    return {"status": kind, "error": message, "error_line": line,
            "traceback": "".join(lines).rstrip()}


def run_entry(job: dict, job_dir: Path) -> dict:
    """Run one entry's blocks in order, in one namespace; return the result as JSON data."""
    import random

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    _reset_state(np, plt, random)
    runner = os.getpid()
    path, namespace = job["path"], {"__name__": "__main__"}
    namespace.update(job.get("params") or {})  # a sweep's combination: set before the first block
    blocks, outcome = [], {"status": "ok"}
    _register_lines(path, job["blocks"])
    if job.get("modules"):
        sys.meta_path.insert(0, EntryModules(job["modules"], plt))
    for block in job["blocks"]:
        (job_dir / "progress").write_text(str(block["line"]))
        capture = CappedWriter(job.get("output_cap", OUTPUT_CAP))
        sys.stdout = sys.stderr = capture
        try:
            code = compile("\n" * (block["line"] - 1) + block["code"], path, "exec")
            exec(code, namespace)
        except BaseException as exc:  # the guest's failure, reported to its author
            outcome = _error_info(exc, path)
            outcome["error_line"] = outcome["error_line"] or block["line"]
        finally:
            if os.getpid() != runner:
                os._exit(0)  # a process the snippet forked ran off the end of its code
            sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
            figures = _save_figures(plt, job["slug"], block["index"])
        blocks.append({"index": block["index"], "stdout": capture.getvalue(),
                       "truncated": capture.truncated, "figures": figures})
        if outcome["status"] != "ok":
            break
    if outcome["status"] == "ok":
        outcome = _threads_left(path, job["blocks"][-1]["line"] if job["blocks"] else 0) or outcome
    return {**outcome, "blocks": blocks}


def _register_lines(path: str, blocks: list[dict]) -> None:
    """Let tracebacks show an entry's lines: its blocks at their markdown lines."""
    source_lines = [""] * max((b["line"] + b["code"].count("\n") for b in blocks), default=0)
    for block in blocks:
        for offset, text in enumerate(block["code"].splitlines()):
            source_lines[block["line"] - 1 + offset] = text
    linecache.cache[path] = (0, None, [line + "\n" for line in source_lines], path)


class EntryModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Import ``glossary.entries.X``: run entry X's executed blocks in a fresh module.

    Only the entries the job lists (the importer's dependencies, checked by the
    generator) can be imported. Each importer's process runs its dependencies'
    code itself, so it sees nothing another entry's run left behind; what the
    dependency prints is dropped and the figures it draws are closed.
    """

    PACKAGE = "glossary.entries"

    def __init__(self, modules: list[dict], plt):
        self.modules, self.plt = {m["name"]: m for m in modules}, plt

    def find_spec(self, name: str, path=None, target=None):
        if name in ("glossary", self.PACKAGE):
            return importlib.util.spec_from_loader(name, self, is_package=True)
        package, _, module = name.rpartition(".")
        if package == self.PACKAGE and module in self.modules:
            return importlib.util.spec_from_loader(name, self)
        return None

    def create_module(self, spec):
        return None

    def exec_module(self, module) -> None:
        package, _, name = module.__name__.rpartition(".")
        if package != self.PACKAGE:
            return  # the two packages are empty
        data = self.modules[name]
        module.__dict__.update(data["params"])  # a swept dependency runs with its defaults
        _register_lines(data["path"], data["blocks"])
        figures, streams = set(self.plt.get_fignums()), (sys.stdout, sys.stderr)
        sys.stdout = sys.stderr = CappedWriter(0)
        try:
            for block in data["blocks"]:
                code = compile("\n" * (block["line"] - 1) + block["code"], data["path"], "exec")
                exec(code, module.__dict__)
        finally:
            sys.stdout, sys.stderr = streams
            for number in set(self.plt.get_fignums()) - figures:
                self.plt.close(number)


def _threads_left(path: str, last_line: int) -> dict | None:
    """Report a non-daemon thread still running when the entry ended (it is killed with it)."""
    deadline = time.monotonic() + 0.5
    for thread in threading.enumerate():
        if thread is not threading.main_thread():
            thread.join(max(0.0, deadline - time.monotonic()))
    alive = [t for t in threading.enumerate()
             if t is not threading.main_thread() and t.is_alive() and not t.daemon]
    if not alive:
        return None
    line, frame = last_line, sys._current_frames().get(alive[0].ident)
    while frame is not None:
        if frame.f_code.co_filename == path:
            line = frame.f_lineno
            break
        frame = frame.f_back
    return {"status": "excepted", "error_line": line,
            "error": f"thread '{alive[0].name}' was still running when the entry ended: join "
                     "every thread you start (it was stopped with the entry)"}


FILE_CAP = 256 * 1024 * 1024
"""Largest file a snippet may write, in bytes: a runaway loop cannot fill the disk."""


def _limit_self(memory_mb: int, process_base: int | None) -> None:
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_CAP, FILE_CAP))
    if process_base is not None:  # counted per user, and not enforced for root
        cap = process_base + sandbox.PROCESS_CAP
        resource.setrlimit(resource.RLIMIT_NPROC, (cap, cap))


CLONE_NEWUSER, CLONE_NEWNET = 0x10000000, 0x40000000


def _cut_network() -> bool:
    """Move this process into an empty network namespace, if the system allows it.

    As root a new network namespace suffices; otherwise an unprivileged user
    namespace is tried too. Where neither is allowed the snippet keeps the network.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return False
    for flags in (CLONE_NEWNET, CLONE_NEWUSER | CLONE_NEWNET):
        if libc.unshare(flags) == 0:
            return True
    return False


def child_main(job_dir: Path, job: dict, process_base: int | None = None) -> None:
    """Run the job in this process (the runner) and write its result.json."""
    work = job_dir / "work"
    os.chdir(work)
    os.environ.update(HOME=str(work), TMPDIR=str(work))
    tempfile.tempdir = None
    _limit_self(job["memory"], process_base)
    sandbox.unshare_ipc()
    sandbox.drop_privileges()
    runner = os.getpid()
    try:
        result = run_entry(job, job_dir)
    except MemoryError:
        result = {"status": "memory", "error": "MemoryError", "error_line": 0, "blocks": []}
    if os.getpid() == runner:
        (job_dir / "result.json").write_text(json.dumps(result), "utf-8")


# --- the supervisor: one per job, owns the job's whole process tree -------------------
#
# worker --fork/spawn--> supervisor --fork--> init (pid 1 of the job's PID namespace,
# read-only view) --fork--> runner (no capabilities, limits, runs the snippet).
# When the runner ends, init ends, and the kernel kills every process left in the
# namespace; the supervisor then sweeps its own children and the job's cgroup, so
# nothing the snippet started outlives its entry, whether it passed or not.

def supervise(job_dir: Path) -> None:
    """Run one job in a fresh sandbox and write ``supervisor.json``; used as a job's process."""
    job = json.loads((job_dir / "job.json").read_text("utf-8"))
    sandbox.die_with_parent()
    name = f"glossary-{job.get('owner', 0)}-{os.getpid()}"  # owner: the build's pid
    cgroup = sandbox.PidsCgroup.create(name, sandbox.PROCESS_CAP + 2)
    if cgroup is not None:
        cgroup.add(os.getpid())
    process_base = None
    if cgroup is None and hasattr(os, "getuid") and os.getuid() != 0:
        process_base = sandbox.count_processes(os.getuid())
    sandbox.set_subreaper()
    namespaces = sandbox.unshare_namespaces()
    read_fd, write_fd = os.pipe()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.close(read_fd)
            _init_main(job_dir, job, write_fd, "pid" in namespaces, process_base)
            code = 0
        finally:
            os._exit(code)
    os.close(write_fd)
    output, timed_out = _collect(pid, read_fd, job["timeout"], started)
    _kill_tree(pid, cgroup)
    try:
        runner = int((job_dir / "runner-status").read_text())
    except (OSError, ValueError):
        runner = None
    # The worker removes the (then empty) cgroup once this process has ended: moving
    # ourselves out first would cost a second cgroup migration (tens of ms on v1).
    report = {"runner_status": runner, "timed_out": timed_out,
              "output": output.decode("utf-8", "replace"),
              "cgroup": str(cgroup.path) if cgroup is not None else None}
    (job_dir / "supervisor.json").write_text(json.dumps(report), "utf-8")


def _init_main(job_dir: Path, job: dict, write_fd: int, pid_namespace: bool,
               process_base: int | None) -> None:
    """Set up the read-only view, start the runner, reap everything until it ends."""
    os.setpgid(0, 0)
    sandbox.read_only_view([job_dir], new_proc=pid_namespace)
    runner = os.fork()
    if runner == 0:
        code = 1
        try:
            os.dup2(write_fd, 1)
            os.dup2(write_fd, 2)
            os.close(write_fd)
            child_main(job_dir, job, process_base)
            code = 0
        finally:
            os._exit(code)
    os.close(write_fd)
    while True:  # as the namespace's init, reap every orphan until the runner ends
        try:
            done, status = os.waitpid(-1, 0)
        except ChildProcessError:
            return
        if done == runner:
            (job_dir / "runner-status").write_text(str(status))
            return


def _collect(pid: int, fd: int, timeout: float, started: float) -> tuple[bytes, bool]:
    """Wait for ``pid`` (the job's init) while keeping the head of the output; kill it at the deadline."""
    head, open_fd = bytearray(), fd
    os.set_blocking(fd, False)
    try:
        exited = [os.pidfd_open(pid)]  # readable when the process ends: no polling delay
    except (AttributeError, OSError):
        exited = []
    while True:
        watched = exited + ([open_fd] if open_fd is not None else [])
        ready, _, _ = select.select(watched, [], [], 0.02 if exited else 0.005)
        if open_fd in ready:
            try:
                data = os.read(open_fd, 1 << 16)
            except BlockingIOError:
                data = b"?"
            if not data:
                open_fd = None
            elif len(head) < RAW_OUTPUT_CAP:
                head += data[:RAW_OUTPUT_CAP - len(head)]
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() - started > timeout:
            _kill(pid)
            os.waitpid(pid, 0)
            for handle in [fd, *exited]:
                os.close(handle)
            return bytes(head), True
    for handle in [fd, *exited]:
        os.close(handle)
    return bytes(head), False


def _kill_tree(pgid: int, cgroup: sandbox.PidsCgroup | None) -> None:
    """Kill and reap every process the job left: its group, orphans we adopted, its cgroup."""
    _kill(pgid)
    sandbox.kill_and_reap(cgroup.procs if cgroup is not None else set, keep={os.getpid()})


# --- in the worker: schedule the jobs ---------------------------------------------------

def _start_fork(job_dir: Path) -> int:
    pid = os.fork()
    if pid == 0:  # the job's supervisor
        code = 1
        try:
            os.setpgid(0, 0)
            os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
            supervise(job_dir)
            code = 0
        finally:
            os._exit(code)
    try:
        os.setpgid(pid, pid)  # also here: the child may not have run yet when we kill it
    except OSError:
        pass
    return pid


def _start_spawn(job_dir: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "generator.snippet_worker", "--child",
                             str(job_dir)], stdin=subprocess.DEVNULL, start_new_session=True)


def _finish(job: dict, job_dir: Path, status: int | None, elapsed: float) -> dict:
    """Return the result of a job run by its own supervisor (spawn mode)."""
    try:
        report = json.loads((job_dir / "supervisor.json").read_text("utf-8"))
    except (OSError, ValueError):
        report = {"runner_status": status, "timed_out": status is None, "output": ""}
    result = _result_of(job, job_dir, report, status)
    if report.get("cgroup"):
        sandbox.PidsCgroup(Path(report["cgroup"]), Path(report["cgroup"]).parent).remove()
    result.update(job=job["job"], seconds=round(elapsed, 3))
    return result


def _result_of(job: dict, job_dir: Path, report: dict, status: int | None = None) -> dict:
    """Return a job's result from its folder and its supervisor's report (status, timeout, output)."""
    result_file = job_dir / "result.json"
    line = _progress_line(job_dir, job)
    if report.get("timed_out"):
        result = {"status": "timeout", "error_line": line,
                  "error": f"timed out after {job['timeout']:g} s (raise the limit with "
                           "--timeout or [tool.glossary] timeout)"}
    elif result_file.is_file():
        try:
            result = json.loads(result_file.read_text("utf-8"))
        except ValueError:
            result = {"status": "crashed", "error": "the snippet process wrote a damaged result",
                      "error_line": line}
    else:
        runner = report.get("runner_status")
        result = {"status": "crashed", "error_line": line,
                  "error": _death(runner if isinstance(runner, int) else status or 0, job),
                  "traceback": report.get("output", "")}
    return result


def _progress_line(job_dir: Path, job: dict) -> int:
    try:
        return int((job_dir / "progress").read_text())
    except (OSError, ValueError):
        return job["blocks"][0]["line"] if job["blocks"] else 0


def _death(status: int, job: dict) -> str:
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        name = signal.Signals(number).name if number in signal.Signals._value2member_map_ else number
        if number == signal.SIGKILL:
            return (f"the snippet process was killed ({name}): by itself, or by the system for "
                    f"using more than {job['memory']} MB of memory")
        return f"the snippet process crashed ({name})"
    return (f"the snippet process exited with status {os.WEXITSTATUS(status)} before its blocks "
            "finished: a snippet must not end its own process (os._exit, os.kill)")


def _warm_up() -> None:
    """Import numpy and matplotlib, reset and draw one throwaway SVG, so forked children start warm.

    Only our own code runs here, never an entry's: what a child inherits is the same for all.
    """
    import random

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    _reset_state(np, plt, random)  # the first reset costs about 20 ms: pay it once, here
    fig, ax = plt.subplots()
    ax.plot(np.arange(3), np.arange(3))
    ax.set_title("$x^2$ warm-up")  # loads fonts and the mathtext parser once
    ax.legend(["a"])
    save_svg(fig)
    _reset_state(np, plt, random)


def worker_main(mode: str, parallel: int) -> None:
    """Read batches of jobs from stdin, run them ``parallel`` at a time, print results as they end.

    After each batch a ``{"batch_done": n}`` line; the worker ends at the end of its input.
    In ``fork`` mode the sandboxes (``snippet_slots``) are kept from batch to batch.
    """
    if mode == "fork":
        _warm_up()
        gc.freeze()  # forked processes then never touch the warm objects' pages (no copy-on-write)
    sandbox.set_subreaper()  # a supervisor killed at the backstop deadline leaves no orphans
    sandbox.die_with_parent()
    sandbox.remove_stale_cgroups()  # of builds killed while their snippets ran
    out = sys.stdout
    sys.stdout = sys.stderr  # nothing but results may reach the protocol stream
    with tempfile.TemporaryDirectory(prefix="glossary-snippets-") as base:
        pool = SlotPool(Path(base), parallel)
        batch = 0
        try:
            while (jobs := _read_batch(sys.stdin)) is not None:
                if mode == "fork":
                    pool.run(deque(jobs), out)
                else:
                    _run_batch(deque(jobs), Path(base) / f"batch-{batch}", mode, parallel, out)
                _emit(out, {"batch_done": batch})  # a kept worker (serve) waits for the next batch
                batch += 1
        finally:
            pool.close()


class SlotPool:
    """The worker's reused sandboxes (fork mode): at most ``parallel``, started on first use."""

    def __init__(self, base: Path, parallel: int):
        self.base, self.parallel = base, parallel
        self.slots: list[Slot] = []
        self.started = 0
        self.out = None

    def run(self, jobs: deque, out) -> None:
        """Run ``jobs``, one per idle slot at a time, writing each result as it ends."""
        self.out = out
        while jobs or any(slot.job is not None for slot in self.slots):
            while jobs and (idle := self._idle(jobs[0])) is not None:
                job = jobs.popleft()
                try:
                    idle.send(job)
                except OSError:  # the keeper is gone (it never started, or died idle)
                    self._lost(idle, job, jobs)
            self._wait(jobs)

    def _lost(self, slot: Slot, job: dict, jobs: deque) -> None:
        """Retire a slot whose keeper is gone; its job gets one more try in a new slot."""
        slot.retire()
        self.slots.remove(slot)
        if job.get("retried"):
            _emit(self.out, {"status": "crashed", "job": job["job"], "error_line": 0,
                             "error": "the snippet sandbox could not be started", "seconds": 0.0})
        else:
            jobs.appendleft({**job, "retried": True})

    def _idle(self, job: dict) -> Slot | None:
        for slot in self.slots:
            if slot.job is None:
                return slot
        if len(self.slots) < self.parallel:
            self.started += 1
            slot = Slot.start(self.base / f"slot-{self.started}", job.get("owner", 0), self.started)
            self.slots.append(slot)
            return slot
        return None

    def _wait(self, jobs: deque) -> None:
        """Wait for output, an entry's end or a deadline; handle whichever came."""
        busy = [slot for slot in self.slots if slot.job is not None]
        if not busy:
            return
        now = time.monotonic()
        wait = max(0.0, min(s.started + s.job["timeout"] - now for s in busy))
        ready, _, _ = select.select([s.status for s in busy] + [s.output for s in busy], [], [], wait)
        now = time.monotonic()
        for slot in busy:
            slot.read_output()
            message = slot.read_status() if slot.status in ready else None
            if message is None and now - slot.started > slot.job["timeout"]:
                self._end(slot, {"timed_out": True}, now)
            elif message == {}:  # the keeper died: the slot is torn down with its entry
                self._end(slot, {"runner_status": None}, now)
            elif message is not None:
                self._end(slot, {"runner_status": message.get("runner_status")}, now)

    def _end(self, slot: Slot, report: dict, now: float) -> None:
        """Emit the slot's entry's result; reuse the slot, or retire it if the entry broke it."""
        job = slot.job
        slot.read_output()
        report["output"] = slot.head.decode("utf-8", "replace")
        result = _result_of(job, slot.folder, report)
        result.update(job=job["job"], seconds=round(now - slot.started, 3))
        _emit(self.out, result)
        if "runner_status" not in report or report["runner_status"] is None or not slot.reset():
            slot.retire()
            self.slots.remove(slot)

    def close(self) -> None:
        for slot in self.slots:
            slot.retire()
        self.slots = []


def _read_batch(stream) -> list[dict] | None:
    """Return the jobs up to an empty line or the end of input; None at the end of input.

    A build writes all its jobs, then an empty line: every job is read before any
    result is written, so the two pipes cannot deadlock.
    """
    jobs = []
    for line in stream:
        if not line.strip():
            return jobs
        jobs.append(json.loads(line))
    return jobs or None


def _run_batch(jobs: deque, base: Path, mode: str, parallel: int, out) -> None:
    """Run ``jobs``, ``parallel`` at a time, writing each result as it ends."""
    running: dict[int, tuple[dict, Path, float, subprocess.Popen | None]] = {}
    while jobs or running:
        while jobs and len(running) < parallel:
            job = jobs.popleft()
            job_dir = base / f"job-{job['job']}"
            (job_dir / "work").mkdir(parents=True)
            (job_dir / "job.json").write_text(json.dumps(job), "utf-8")
            if mode == "fork":
                running[_start_fork(job_dir)] = (job, job_dir, time.monotonic(), None)
            else:
                proc = _start_spawn(job_dir)
                running[proc.pid] = (job, job_dir, time.monotonic(), proc)
        _reap(running, out)
        time.sleep(0.005)
    shutil.rmtree(base, ignore_errors=True)  # a kept worker runs many batches


def _exit_status(pid: int, proc: subprocess.Popen | None) -> int | None:
    """Return the wait status of a finished child, or None while it runs."""
    if proc is not None:  # let Popen reap its own child, or it may steal the status
        code = proc.poll()
        if code is None:
            return None
        return (-code) & 0x7F if code < 0 else (code & 0xFF) << 8
    done, status = os.waitpid(pid, os.WNOHANG)
    return status if done else None


BACKSTOP = 10.0
"""Seconds past a job's timeout after which the worker kills a supervisor that did not end it."""


def _reap(running: dict, out) -> None:
    now = time.monotonic()
    for pid, (job, job_dir, started, proc) in list(running.items()):
        status = _exit_status(pid, proc)
        if status is None and now - started > job["timeout"] + BACKSTOP:
            _kill(pid)
            if proc is not None:
                proc.wait()
            else:
                os.waitpid(pid, 0)
        elif status is None:
            continue
        del running[pid]
        _emit(out, _finish(job, job_dir, status, now - started))
        _reap_orphans(running)


def _reap_orphans(running: dict) -> None:
    """Kill and reap processes adopted as subreaper that belong to no running job."""
    for pid in sandbox.children_of(os.getpid()):
        if pid not in running:
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, os.WNOHANG)
            except OSError:
                pass


def _kill(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        os.kill(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _emit(out, result: dict) -> None:
    out.write(json.dumps(result) + "\n")
    out.flush()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        import matplotlib.pyplot  # noqa: F401  (imported here, where the config folder is writable)
        supervise(Path(sys.argv[2]))
    else:
        worker_main(sys.argv[1], int(sys.argv[2]))
