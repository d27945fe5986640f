"""Linux isolation for snippet processes: namespaces, a read-only view, no capabilities, a pids cgroup.

Every protection is tried and used where the system allows it, and skipped where
it does not (SECURITY.md lists what each platform gets). ``probe()`` says which
ones a snippet gets on this machine. The snippet worker calls these in order:

- in the job's supervisor: ``PidsCgroup.create`` (a process-count limit as root,
  where ``RLIMIT_NPROC`` is not enforced), ``set_subreaper`` and
  ``unshare_namespaces`` (new PID and network namespaces);
- in the namespace's first process: ``read_only_view`` (a private mount
  namespace where only the job folder is writable and ``/proc`` shows only the
  job's own processes);
- in the process that runs the snippet: ``unshare_ipc`` (System V IPC objects of its
  own) and ``drop_privileges`` (no capabilities, no new privileges), so the snippet
  cannot undo any of the above.
"""

from __future__ import annotations

import ctypes
import os
import signal
import time
from pathlib import Path

CLONE_NEWNS, CLONE_NEWIPC, CLONE_NEWUSER = 0x00020000, 0x08000000, 0x10000000
CLONE_NEWPID, CLONE_NEWNET = 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MS_NOATIME, MS_NODIRATIME, MS_RELATIME = 1024, 2048, 1 << 21
ST_RELATIME = 4096
PR_SET_PDEATHSIG, PR_CAPBSET_DROP, PR_SET_CHILD_SUBREAPER, PR_SET_NO_NEW_PRIVS = 1, 24, 36, 38
CAPABILITY_VERSION_3 = 0x20080522

PROCESS_CAP = 64
"""Processes (and threads) one entry's snippets may have at once: a fork bomb stops here."""


def _libc():
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


def _call(name: str, *args) -> bool:
    libc = _libc()
    if libc is None or not hasattr(libc, name):
        return False
    return getattr(libc, name)(*args) == 0


def set_subreaper() -> bool:
    """Make orphaned descendants of this process its children, so none escapes the kill."""
    return _call("prctl", PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def die_with_parent(signal_number: int = 9) -> bool:
    """Have the kernel kill this process when its parent dies (the worker or the build)."""
    return _call("prctl", PR_SET_PDEATHSIG, signal_number, 0, 0, 0)


def unshare_namespaces() -> set[str]:
    """Move this process's future children into new PID and network namespaces.

    As root the namespaces are created directly; otherwise inside a new user
    namespace (where the kernel allows unprivileged ones). Returns the names of
    what was created: ``{"pid", "net"}``, ``{"net"}`` or nothing.
    """
    uid, gid = os.getuid(), os.getgid()
    for flags, names in ((CLONE_NEWPID | CLONE_NEWNET, {"pid", "net"}),
                         (CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET, {"pid", "net"}),
                         (CLONE_NEWNET, {"net"}), (CLONE_NEWUSER | CLONE_NEWNET, {"net"})):
        if _call("unshare", flags):
            if flags & CLONE_NEWUSER:
                _map_user(uid, gid)
            return names
    return set()


def unshare_ipc() -> bool:
    """Give this process a System V IPC namespace of its own (gone when its processes are).

    Shared memory segments, semaphores and message queues outlive the process that
    made them; in a namespace of its own an entry can neither leave one for the next
    entry nor find one left by another.
    """
    return _call("unshare", CLONE_NEWIPC)


def _map_user(uid: int, gid: int) -> None:
    """Be root inside the new user namespace (and only there): it may then mount."""
    try:
        Path("/proc/self/setgroups").write_text("deny")
        Path("/proc/self/uid_map").write_text(f"0 {uid} 1")
        Path("/proc/self/gid_map").write_text(f"0 {gid} 1")
    except OSError:
        pass


def _mount(source: str | None, target: str, fstype: str | None, flags: int) -> bool:
    libc = _libc()
    if libc is None:
        return False
    enc = lambda s: s.encode() if s is not None else None  # noqa: E731
    return libc.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), None) == 0


def _mount_points() -> list[str]:
    points = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        field = line.split()[4]
        points.append(field.encode().decode("unicode_escape"))  # \040 is a space
    return points


def _kept_flags(path: str) -> int:
    """Return the flags a remount must repeat (the kernel refuses to drop locked ones)."""
    flag = os.statvfs(path).f_flag
    kept = flag & (MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME)
    return kept | (MS_RELATIME if flag & ST_RELATIME else 0)


def read_only_view(writable: list[Path], new_proc: bool) -> bool:
    """Enter a private mount namespace where everything but ``writable`` is read-only.

    With ``new_proc`` (the caller is the first process of a new PID namespace) a
    fresh ``/proc`` shows only the job's own processes, so no other process's
    environment or command line can be read. ``/run`` (daemon sockets) is hidden.
    """
    if not _call("unshare", CLONE_NEWNS) or not _mount(None, "/", None, MS_REC | MS_PRIVATE):
        return False
    if new_proc:
        _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    if os.path.isdir("/run"):
        _mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    keep = {str(path) for path in writable}
    for path in keep:
        if not _mount(path, path, None, MS_BIND | MS_REC):
            return False
    done = True
    for point in _mount_points():
        if point in keep or point == "/proc" or point.startswith("/proc/"):
            continue
        try:
            flags = _kept_flags(point)
        except OSError:
            continue  # shadowed by a later mount: not reachable anyway
        if not _mount(None, point, None, MS_REMOUNT | MS_BIND | MS_RDONLY | flags):
            try:
                done = done and bool(os.statvfs(point).f_flag & MS_RDONLY)
            except OSError:
                pass
    return done


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


def drop_privileges() -> bool:
    """Give up every capability for good: no mounting, no ptrace, no raw sockets, no setuid."""
    libc = _libc()
    if libc is None or not hasattr(libc, "capset"):
        return False
    libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    for cap in range(64):
        libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)  # fails past the last one: fine
    data = (_CapData * 2)()
    return libc.capset(ctypes.byref(_CapHeader(CAPABILITY_VERSION_3, 0)), data) == 0


def count_processes(uid: int) -> int:
    """Return how many processes ``uid`` runs now (what RLIMIT_NPROC counts)."""
    count = 0
    if not os.path.isdir("/proc"):
        return 0  # no /proc (macOS): the limit is then the cap alone
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                count += entry.stat().st_uid == uid
            except OSError:
                pass
    return count


def kill_and_reap(extra, keep: set[int]) -> None:
    """Kill and reap this process's children (orphans included) and ``extra()`` until none is left.

    :param extra: returns more pids to kill (a cgroup's members); ``keep`` are spared.
    """
    me = os.getpid()
    for _ in range(10_000):
        left = (set(children_of(me)) | extra()) - keep
        if not left:
            return
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        while True:
            try:
                done, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if not done:
                break
        time.sleep(0.001)


def children_of(pid: int) -> list[int]:
    """Return the pids whose parent is ``pid`` (from /proc, zombies included)."""
    found = []
    if not os.path.isdir("/proc"):
        return found  # no /proc (macOS): the process group kill is all there is
    listed = _listed_children(pid)
    if listed is not None:
        return listed
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        if len(fields) > 1 and int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def _listed_children(pid: int) -> list[int] | None:
    """Return the children of every thread of ``pid`` from ``/proc/PID/task/TID/children``.

    One small file per thread instead of the stat file of every process on the machine
    (7 ms with 130 processes, twice per entry). None where the kernel lacks these files.
    """
    found: list[int] = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children", encoding="ascii") as handle:
                found += [int(child) for child in handle.read().split()]
    except (OSError, ValueError):
        return None
    return sorted(set(found))


class PidsCgroup:
    """A pids cgroup for one job: a process-count limit that also holds for root."""

    def __init__(self, path: Path, parent: Path):
        self.path, self.parent = path, parent

    @classmethod
    def create(cls, name: str, limit: int) -> "PidsCgroup | None":
        """Create ``name`` under this process's pids cgroup (v1, or v2 if delegated)."""
        for parent in _pids_parents():
            path = parent / name
            try:
                path.mkdir()
            except OSError:
                continue
            try:
                (path / "pids.max").write_text(str(limit))
                return cls(path, parent)
            except OSError:
                _rmdir(path)
        return None

    def add(self, pid: int) -> None:
        (self.path / "cgroup.procs").write_text(str(pid))

    def procs(self) -> set[int]:
        try:
            return {int(p) for p in (self.path / "cgroup.procs").read_text().split()}
        except OSError:
            return set()

    def remove(self, leave: bool = False) -> None:
        """Delete the job's cgroup (empty by then); with ``leave``, move this process out first."""
        if leave:
            try:
                (self.parent / "cgroup.procs").write_text(str(os.getpid()))
            except OSError:
                pass
        _rmdir(self.path)


def remove_stale_cgroups() -> None:
    """Delete job cgroups left by builds that were killed (their owner is gone, they are empty)."""
    for parent in _pids_parents():
        try:
            names = [p for p in parent.iterdir() if p.name.startswith("glossary-")]
        except OSError:
            continue
        for path in names:
            owner = path.name.split("-")[1]
            if owner.isdigit() and int(owner) > 0 and not _alive(int(owner)):
                _rmdir(path)  # refuses unless empty


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _rmdir(path: Path) -> None:
    try:
        path.rmdir()
    except OSError:
        pass


def _pids_parents() -> list[Path]:
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return []
    parents = []
    for line in lines:
        _, controllers, rel = line.split(":", 2)
        if "pids" in controllers.split(","):
            parents.append(Path("/sys/fs/cgroup/pids") / rel.lstrip("/"))
        elif controllers == "":
            for mount in (Path("/sys/fs/cgroup/unified"), Path("/sys/fs/cgroup")):
                if (mount / "cgroup.controllers").is_file():
                    parents.append(mount / rel.lstrip("/"))
                    break
    return [p for p in parents if p.is_dir()]


def probe() -> dict[str, bool]:
    """Report which protections a snippet gets on this machine (runs in a throwaway child)."""
    import json
    import subprocess
    import sys
    code = ("import json, os\nfrom generator import sandbox\n"
            "cg = sandbox.PidsCgroup.create(f'glossary-probe-{os.getpid()}', 8)\n"
            "ns = sandbox.unshare_namespaces()\n"
            "r, w = os.pipe()\npid = os.fork()\n"
            "if pid == 0:\n"
            "    view = sandbox.read_only_view([], 'pid' in ns)\n"
            "    os.write(w, json.dumps({'view': view, 'caps': sandbox.drop_privileges()}).encode())\n"
            "    os._exit(0)\n"
            "os.close(w)\nos.waitpid(pid, 0)\nchild = json.loads(os.read(r, 1000) or b'{}')\n"
            "if cg: cg.remove(leave=True)\n"
            "print(json.dumps({'pids_cgroup': cg is not None, 'pid_namespace': 'pid' in ns,"
            " 'net_namespace': 'net' in ns, 'read_only_view': bool(child.get('view')),"
            " 'no_capabilities': bool(child.get('caps'))}))\n")
    root = str(Path(__file__).resolve().parent.parent)
    try:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             timeout=30, env={**os.environ, "PYTHONPATH": root})
        return json.loads(out.stdout)
    except (OSError, ValueError, subprocess.SubprocessError):
        return dict.fromkeys(("pids_cgroup", "pid_namespace", "net_namespace",
                              "read_only_view", "no_capabilities"), False)
