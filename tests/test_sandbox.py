"""Snippets that misbehave: each is stopped, reported at its entry and line, and leaves nothing behind.

Line numbers: ``entry()`` puts the first line of ``code`` on line 11 of the file.
Each attack runs beside an innocent entry that must still build.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import entry, soup, write_entries
from generator import sandbox

REPO = Path(__file__).resolve().parent.parent
PROTECTIONS = sandbox.probe()
needs = {name: pytest.mark.skipif(not PROTECTIONS[name], reason=f"no {name} on this system")
         for name in PROTECTIONS}


def errors_of(run) -> list[dict]:
    return [d for d in run.report["diagnostics"] if d["severity"] == "error"]


def processes_with(marker: str) -> list[int]:
    """Return the pids whose command line contains ``marker``."""
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                cmdline = Path("/proc", name, "cmdline").read_bytes()
            except OSError:
                continue
            if marker.encode() in cmdline and int(name) != os.getpid():
                found.append(int(name))
    return found


def printed(project: Path, slug: str) -> str:
    return soup(project / f"site/concepts/{slug}.html").select_one("pre.output").get_text()


@pytest.mark.skipif(not (PROTECTIONS["pids_cgroup"] or os.getuid() != 0),
                    reason="root without a pids cgroup: no process-count limit (SECURITY.md)")
def test_fork_bomb_hits_the_process_limit_at_its_line(tmp_path, glossary):
    # Bounded (600 sleepers), so that without the limit it ends instead of taking the machine.
    marker = f"32{os.getpid() % 10000:04d}"
    bomb = ("import os\nfor i in range(600):\n    if os.fork() == 0:\n"
            f"        os.execvp('sleep', ['sleep', '{marker}'])\nprint('all forked')")
    write_entries(tmp_path, dict([entry("bomb", code=bomb), entry("fine")]))
    run = glossary(tmp_path, "build", "--json", "--timeout", "60")
    errors = errors_of(run)
    assert [(e["path"], e["line"]) for e in errors] == [("entries/bomb.md", 13)], errors
    assert "BlockingIOError" in errors[0]["message"]
    assert errors_of(run) and (tmp_path / "site").exists() is False
    assert processes_with(f"sleep\x00{marker}") == []


@pytest.mark.slow
@pytest.mark.parametrize("ending, code", [("passes", 0), ("fails", 1)])
def test_children_and_grandchildren_die_with_their_entry(tmp_path, glossary, ending, code):
    marker = f"31{os.getpid() % 1000:03d}{code}"
    snippet = (
        "import os, subprocess\n"
        f"subprocess.Popen(['sleep', '{marker}1'])\n"  # a child
        "if os.fork() == 0:\n"  # a grandchild in its own session, its parent gone
        "    os.setsid()\n"
        "    if os.fork() == 0:\n"
        f"        os.execvp('sleep', ['sleep', '{marker}2'])\n"
        "    os._exit(0)\n"
        "import time; time.sleep(0.3)\n"
        f"assert {code} == 0")
    write_entries(tmp_path, dict([entry("spawner", code=snippet), entry("fine")]))
    run = glossary(tmp_path, "build", "--json")
    assert run.code == code, run.stdout
    time.sleep(0.2)
    assert processes_with(f"sleep\x00{marker}") == []


def test_a_thread_that_never_ends_is_reported_where_it_runs(tmp_path, glossary):
    code = ("import threading, time\ndef spin():\n    while True:\n        time.sleep(0.01)\n"
            "threading.Thread(target=spin).start()\nprint('started')")
    write_entries(tmp_path, dict([entry("spin", code=code), entry("fine")]))
    started = time.monotonic()
    run = glossary(tmp_path, "build", "--json", "--timeout", "20")
    assert time.monotonic() - started < 15
    errors = errors_of(run)
    assert [(e["path"], e["line"]) for e in errors] in ([("entries/spin.md", 13)],
                                                        [("entries/spin.md", 14)])
    assert re.match(r"thread 'Thread-\d+ \(spin\)' was still running", errors[0]["message"])


@pytest.mark.parametrize("code, line, words", [
    ("import os\nprint('bye')\nos._exit(0)", 11, "exited with status 0 before its blocks finished"),
    ("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)", 11, "killed (SIGKILL)"),
])
def test_a_snippet_ending_its_own_process_is_reported(tmp_path, glossary, code, line, words):
    write_entries(tmp_path, dict([entry("ender", code=code), entry("fine")]))
    run = glossary(tmp_path, "build", "--json")
    errors = errors_of(run)
    assert [(e["path"], e["line"]) for e in errors] == [(f"entries/ender.md", line)]
    assert words in errors[0]["message"]


@needs["pid_namespace"]
def test_a_snippet_cannot_signal_the_build_or_its_supervisor(tmp_path, glossary):
    code = ("import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n"
            f"try:\n    os.kill({os.getpid()}, 0)\nexcept OSError as exc:\n"
            "    print(type(exc).__name__)\nprint('parent survived')")
    write_entries(tmp_path, dict([entry("killer", code=code), entry("fine")]))
    run = glossary(tmp_path, "build", "--json")
    assert run.code == 0, run.stdout
    assert printed(tmp_path, "killer") == "ProcessLookupError\nparent survived\n"


@pytest.mark.slow
def test_a_hundred_megabytes_of_output_is_capped(tmp_path, glossary):
    code = ("import os, sys, subprocess\nprint('x' * 50_000_000)\n"
            "os.write(1, b'y' * 50_000_000)\n"
            "subprocess.run(['head', '-c', '50000000', '/dev/zero'])\nprint('done')")
    write_entries(tmp_path, dict([entry("chatty", code=code), entry("fine")]))
    started = time.monotonic()
    run = glossary(tmp_path, "build", "--json")
    assert run.code == 0, run.stdout
    assert time.monotonic() - started < 60
    page = soup(tmp_path / "site/concepts/chatty.html")
    assert len(page.select_one("pre.output").get_text()) <= 10_000
    assert page.select_one(".output-note").get_text() == "output truncated"
    total = sum(p.stat().st_size for p in (tmp_path / "site").rglob("*") if p.is_file())
    assert total < 5_000_000


@pytest.mark.slow
def test_raw_output_before_a_crash_is_capped_at_the_file_descriptor(tmp_path, glossary):
    """Bytes written to fd 1 and 2 bypass ``print``: the supervisor keeps only their head."""
    code = ("import os, subprocess\nos.write(1, b'y' * 30_000_000)\n"
            "subprocess.run(['head', '-c', '30000000', '/dev/zero'])\nos._exit(3)")
    write_entries(tmp_path, dict([entry("chatty", code=code), entry("fine")]))
    run = glossary(tmp_path, "build", "--json")
    errors = errors_of(run)
    assert [(e["path"], e["line"]) for e in errors] == [("entries/chatty.md", 11)]
    assert "yyyy" in run.stdout + run.stderr  # the head of the output is shown ...
    assert len(run.stdout) + len(run.stderr) < 200_000  # ... and only the head


def _flooding_child() -> tuple[int, int]:
    """Fork a process that writes about 20 MB into a pipe; return its pid and the read end."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        chunk = b"z" * 65536
        for _ in range(300):
            os.write(write_fd, chunk)
        os._exit(0)
    os.close(write_fd)
    return pid, read_fd


def test_the_supervisor_keeps_only_the_head_of_raw_output():
    """The supervisor's own buffer is bounded, whatever the later caps do with it."""
    from generator import snippet_worker
    pid, read_fd = _flooding_child()
    head, timed_out = snippet_worker._collect(pid, read_fd, 30.0, time.monotonic())
    assert not timed_out
    assert len(head) == snippet_worker.RAW_OUTPUT_CAP


def test_a_reused_sandbox_keeps_only_the_head_of_raw_output(tmp_path):
    """The same bound where fork mode's slots read an entry's fd 1 and 2."""
    import select

    from generator import snippet_slots
    pid, read_fd = _flooding_child()
    os.set_blocking(read_fd, False)
    slot = snippet_slots.Slot(tmp_path, 0, 0, -1, -1, read_fd, None)
    ended = False
    while not ended:
        select.select([read_fd], [], [], 5)
        slot.read_output()
        ended = os.waitpid(pid, os.WNOHANG)[0] != 0
    slot.read_output()  # what was still in the pipe when the writer ended
    os.close(read_fd)
    assert len(slot.head) == snippet_slots.RAW_OUTPUT_CAP


@needs["read_only_view"]
def test_a_snippet_cannot_write_outside_its_working_folder(tmp_path, glossary):
    write_entries(tmp_path, dict([entry("fine")]))
    assert glossary(tmp_path, "build").code == 0
    targets = [tmp_path / "entries/fine.md", tmp_path / "site/index.html",
               tmp_path / "site/planted.html", tmp_path / "entries/planted.md",
               tmp_path / ".glossary-cache/planted.json", tmp_path / "planted.txt"]
    targets += [next((tmp_path / ".glossary-cache").rglob("*.json"))]
    before = {p: p.read_bytes() for p in targets if p.exists()}
    code = ("refused = []\n"
            f"for path in {[str(p) for p in targets]!r}:\n"
            "    try:\n"
            "        with open(path, 'a') as f:\n"
            "            f.write('owned')\n"
            "    except OSError as exc:\n"
            "        refused.append(type(exc).__name__)\n"
            "open('mine.txt', 'w').write('fine')\n"
            "print(len(refused), sorted(set(refused)))")
    write_entries(tmp_path, dict([entry("vandal", code=code)]))
    run = glossary(tmp_path, "build")
    assert run.code == 0, run.stderr
    assert printed(tmp_path, "vandal") == f"{len(targets)} ['OSError']\n"  # EROFS
    assert all(b"owned" not in p.read_bytes() for p in targets if p.exists())
    assert [p for p in before if p.parent.name != "site"] == [p for p in targets if p.exists()
                                                             and p.parent.name != "site"]
    assert not any(p.exists() for p in targets if p.name.startswith("planted"))


@needs["pid_namespace"]
def test_a_planted_secret_cannot_be_read_from_the_environment_or_proc(tmp_path):
    """The build runs with a secret in its environment; the snippet looks everywhere for it."""
    code = ("import os\nfound = [k for k, v in os.environ.items() if 'pl4nted' in v]\n"
            "for pid in [p for p in os.listdir('/proc') if p.isdigit()]:\n"
            "    for name in ('environ', 'cmdline'):\n"
            "        try:\n"
            "            if b'pl4nted' in open(f'/proc/{pid}/{name}', 'rb').read():\n"
            "                found.append(pid)\n"
            "        except OSError:\n"
            "            pass\n"
            "print(found, len([p for p in os.listdir('/proc') if p.isdigit()]))")
    write_entries(tmp_path, dict([entry("spy", code=code)]))
    env = {**os.environ, "GLOSSARY_DEPLOY_TOKEN": "pl4nted-s3cret", "PYTHONPATH": str(REPO)}
    run = subprocess.run([sys.executable, "-m", "generator", "build"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    found, visible = printed(tmp_path, "spy").rsplit(" ", 1)
    assert found == "[]"
    assert int(visible) <= 3  # its own namespace: init, the runner, nothing of the build's


@needs["net_namespace"]
def test_a_snippet_sees_no_network_interface_but_loopback(tmp_path, glossary):
    code = "import socket\nprint(sorted(name for _, name in socket.if_nameindex()))"
    write_entries(tmp_path, dict([entry("ifaces", code=code)]))
    assert glossary(tmp_path, "build").code == 0
    assert printed(tmp_path, "ifaces") == "['lo']\n"


@needs["no_capabilities"]
def test_a_snippet_has_no_capabilities(tmp_path, glossary):
    code = ("caps = [l for l in open('/proc/self/status') if l.startswith(('CapEff', 'CapBnd'))]\n"
            "print(''.join(caps), end='')")
    write_entries(tmp_path, dict([entry("caps", code=code)]))
    assert glossary(tmp_path, "build").code == 0
    assert printed(tmp_path, "caps") == "CapEff:\t0000000000000000\nCapBnd:\t0000000000000000\n"


def test_no_cgroup_or_process_is_left_after_a_build(tmp_path, glossary):
    write_entries(tmp_path, dict([entry("a"), entry("b", code="import os\nos.fork()")]))
    glossary(tmp_path, "build")
    pids = Path("/sys/fs/cgroup/pids")
    if pids.is_dir():  # the cgroups of this build's entries are named after its pid
        assert [p for p in pids.rglob(f"glossary-{os.getpid()}-*")] == []


def _system_allows_namespaces() -> bool:
    """Ask util-linux, not our own code, whether this system allows the namespaces."""
    try:
        return subprocess.run(["unshare", "--pid", "--fork", "--mount", "--net", "true"],
                              capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def _system_allows_pids_cgroup() -> bool:
    probe = Path("/sys/fs/cgroup/pids") / f"glossary-test-{os.getpid()}"
    try:
        probe.mkdir()
    except OSError:
        return False
    probe.rmdir()
    return True


def test_every_protection_the_system_allows_is_on():
    """Guards the skips above: a protection lost by a code change must not turn into a skip."""
    if _system_allows_namespaces():
        assert PROTECTIONS["pid_namespace"] and PROTECTIONS["net_namespace"]
        assert PROTECTIONS["read_only_view"] and PROTECTIONS["no_capabilities"]
    if os.getuid() == 0 and _system_allows_pids_cgroup():
        assert PROTECTIONS["pids_cgroup"]


def test_without_a_pid_namespace_the_supervisor_still_kills_the_whole_tree(tmp_path):
    """Where no PID namespace is allowed, the subreaper sweep alone must catch every orphan."""
    import json

    from generator import snippet_worker
    marker = f"33{os.getpid() % 10000:04d}"
    code = ("import os\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
            f"        os.execvp('sleep', ['sleep', '{marker}'])\n    os._exit(0)\n"
            "import time; time.sleep(0.3)")
    job_dir = tmp_path / "job"
    (job_dir / "work").mkdir(parents=True)
    job = {"job": 0, "slug": "x", "path": "entries/x.md", "timeout": 30, "memory": 1024,
           "blocks": [{"index": 0, "line": 11, "code": code}]}
    (job_dir / "job.json").write_text(json.dumps(job))
    pid = os.fork()
    if pid == 0:
        try:
            sandbox.unshare_namespaces = lambda: set()
            snippet_worker.supervise(job_dir)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    cgroup = json.loads((job_dir / "supervisor.json").read_text())["cgroup"]
    if cgroup:  # the worker's job, done here since there is no worker
        sandbox.PidsCgroup(Path(cgroup), Path(cgroup).parent).remove()
    assert json.loads((job_dir / "result.json").read_text())["status"] == "ok"
    time.sleep(0.2)
    assert processes_with(f"sleep\x00{marker}") == []


@pytest.mark.skipif(not PROTECTIONS["pids_cgroup"], reason="no pids cgroup on this system")
def test_cgroups_of_a_killed_build_are_removed_by_the_next_one(tmp_path, glossary):
    dead = subprocess.Popen(["true"])
    dead.wait()  # a pid that no longer runs: the owner of a killed build
    cgroup = sandbox.PidsCgroup.create(f"glossary-{dead.pid}-1", 10)
    assert cgroup is not None and cgroup.path.is_dir()
    write_entries(tmp_path, dict([entry("relu")]))
    assert glossary(tmp_path, "build").code == 0
    assert not cgroup.path.exists()


@needs["pid_namespace"]
def test_an_entry_sees_nothing_the_previous_entry_of_its_sandbox_left(tmp_path, glossary):
    """With one job the two entries run one after the other in one reused sandbox (same
    namespaces); the second must find no file, process or System V segment of the first."""
    marker = f"34{os.getpid() % 10000:04d}"
    shm = "import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\n"
    leaver = ("import os, subprocess\n" + shm +
              "open('left.txt', 'w').write('secret of the first entry')\n"
              f"subprocess.Popen(['sleep', '{marker}'], start_new_session=True)\n"
              "segments = [libc.shmget(0x5107 + k, 4096, 0o1600) for k in range(7)]\n"
              "assert all(s >= 0 for s in segments), ctypes.get_errno()\n"
              "print(os.readlink('/proc/self/ns/net'))")
    looker = ("import os\n" + shm +
              "found = [libc.shmget(0x5107 + k, 0, 0) for k in range(7)]\n"
              "procs = [open(f'/proc/{p}/cmdline', 'rb').read() for p in os.listdir('/proc') if p.isdigit()]\n"
              f"print(os.listdir('.'), found, [p for p in procs if b'{marker}' in p])\n"
              "print(os.readlink('/proc/self/ns/net'))")
    write_entries(tmp_path, dict([entry("a-leaver", code=leaver), entry("b-looker", code=looker)]))
    run = glossary(tmp_path, "build", "--jobs", "1")
    assert run.code == 0, run.stderr
    leaver_ns = printed(tmp_path, "a-leaver").strip()
    seen, looker_ns = printed(tmp_path, "b-looker").strip().split("\n")
    assert looker_ns == leaver_ns  # one sandbox for both: the checks below are about reuse
    assert seen == f"[] {[-1] * 7} []"
    assert processes_with(f"sleep\x00{marker}") == []


def test_without_a_pid_namespace_a_reused_sandbox_still_kills_what_an_entry_left(tmp_path):
    """Where no PID namespace is allowed, the keeper's sweep alone must catch every orphan
    before the next entry runs, and the starter's when the sandbox is torn down."""
    import json

    from generator.snippet_slots import Slot
    marker = f"35{os.getpid() % 10000:04d}"
    code = ("import os\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
            f"        os.execvp('sleep', ['sleep', '{marker}'])\n    os._exit(0)\n"
            "import time; time.sleep(0.3)")
    job = {"job": 0, "slug": "x", "path": "entries/x.md", "timeout": 30, "memory": 1024,
           "blocks": [{"index": 0, "line": 11, "code": code}]}
    report = tmp_path / "report.json"
    pid = os.fork()
    if pid == 0:
        try:
            sandbox.unshare_namespaces = lambda: set()
            sandbox.set_subreaper()
            slot = Slot.start(tmp_path / "slot", os.getpid(), 1)
            slot.send(job)
            message = slot.read_status(block=True)
            slot.read_output()
            result = json.loads((slot.folder / "result.json").read_text())
            left = processes_with(f"sleep\x00{marker}")
            slot.reset()
            slot.retire()
            report.write_text(json.dumps({"message": message, "result": result, "left": left}))
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    found = json.loads(report.read_text())
    assert found["message"]["runner_status"] == 0 and found["result"]["status"] == "ok"
    assert found["left"] == []
    assert processes_with(f"sleep\x00{marker}") == []


def test_a_sandbox_whose_keeper_died_between_entries_is_replaced(tmp_path):
    """A keeper killed while idle (say by the OOM killer) costs no entry: it runs in a new sandbox."""
    import io
    import json
    from collections import deque

    from generator.snippet_worker import SlotPool
    job = {"job": 0, "owner": os.getpid(), "slug": "x", "path": "entries/x.md", "timeout": 30,
           "memory": 1024, "blocks": [{"index": 0, "line": 11, "code": "print(6 * 7)"}]}
    report = tmp_path / "report.json"
    pid = os.fork()
    if pid == 0:
        try:
            sandbox.set_subreaper()
            pool, out = SlotPool(tmp_path / "slots", 1), io.StringIO()
            pool.run(deque([job]), out)
            first = pool.slots[0].keeper
            os.kill(first, 9)
            time.sleep(0.2)
            pool.run(deque([{**job, "job": 1}]), out)
            second = pool.slots[0].keeper
            pool.close()
            report.write_text(json.dumps({"out": out.getvalue(), "keepers": [first, second]}))
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    found = json.loads(report.read_text())
    results = [json.loads(line) for line in found["out"].splitlines()]
    assert [(r["job"], r["status"], r["blocks"][0]["stdout"]) for r in results] == \
        [(0, "ok", "42\n"), (1, "ok", "42\n")]
    assert found["keepers"][0] != found["keepers"][1]
