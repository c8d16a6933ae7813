"""Runs *inside* a Docker backend container as its first process (PID 1): one job, then it leaves.

Standalone (stdlib only; the image's Python). The container is started ahead of time and waits here,
so a request pays for no container start. Protocol on the container's stdin/stdout (the `docker run -i`
pipes): we send a ready frame; the host sends one JSON header line and `control_len` bytes of control;
we run `python -I -S -B /harness/<script>` exactly as the bwrap backend does (control and report on
pipes of their own, stdout and stderr on two more) and forward everything as frames
`tag(1) length(4, big-endian) payload`: b"R" ready, b"o" stdout, b"e" stderr, b"r" report, b"x" exit.

Why the tool cannot forge frames: only this process holds the container's stdout; it is
non-dumpable (the same-uid tool can neither ptrace it nor open /proc/1/fd/1), and as PID 1 it ignores
signals it has no handler for, so the tool cannot kill it. Before anything else it stacks selfeng's
seccomp filter (/harness/seccomp.bpf, the one bwrap loads) on top of Docker's default profile.
"""
import ctypes
import json
import os
import select
import signal
import struct
import subprocess
import sys
import time

HARNESS = "/harness"
SITE_PACKAGES = "/usr/lib/python3/dist-packages"
ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/tmp", "TMPDIR": "/tmp", "LANG": "C.UTF-8",
       "PYTHONDONTWRITEBYTECODE": "1", "USER": "sandbox", "LOGNAME": "sandbox",
       "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
CHUNK = 65536


def frame(tag: bytes, data: bytes = b"") -> None:
    view = memoryview(tag + struct.pack(">I", len(data)) + data)
    while view:
        view = view[os.write(1, view):]


class _SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


def _harden() -> None:
    """Non-dumpable, then selfeng's seccomp filter (needs no_new_privs, which Docker set)."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(4, 0, 0, 0, 0) != 0:  # PR_SET_DUMPABLE
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_DUMPABLE, 0)")
    with open(os.path.join(HARNESS, "seccomp.bpf"), "rb") as f:
        program = f.read()
    count = len(program) // ctypes.sizeof(_SockFilter)
    insns = (_SockFilter * count).from_buffer_copy(program)
    prog = _SockFprog(count, ctypes.cast(insns, ctypes.POINTER(_SockFilter)))
    if libc.prctl(22, 2, ctypes.byref(prog), 0, 0) != 0:  # PR_SET_SECCOMP, SECCOMP_MODE_FILTER
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_SECCOMP)")


def _read_exactly(fd: int, n: int) -> bytes:
    chunks, left = [], n
    while left:
        chunk = os.read(fd, min(left, CHUNK))
        if not chunk:
            raise EOFError("the host closed the request early")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _read_header() -> dict | None:
    line = b""
    while not line.endswith(b"\n"):
        chunk = os.read(0, 1)  # byte by byte: the control bytes that follow must stay unread
        if not chunk:
            return None  # the host went away before sending a job
        line += chunk
    return json.loads(line)


def _memory_events() -> dict:
    """OOM kills and peak usage of this container's memory cgroup (v1 or v2 view)."""
    out = {"oom_kills": 0, "peak": None}
    for events, peak in (("/sys/fs/cgroup/memory/memory.oom_control", "/sys/fs/cgroup/memory/memory.max_usage_in_bytes"),
                         ("/sys/fs/cgroup/memory.events", "/sys/fs/cgroup/memory.peak")):
        try:
            with open(events) as f:
                for line in f:
                    key, _, value = line.partition(" ")
                    if key == "oom_kill":
                        out["oom_kills"] = int(value)
            with open(peak) as f:
                out["peak"] = int(f.read())
            break
        except (OSError, ValueError):
            continue
    return out


def _run(header: dict, control: bytes) -> dict:
    control_r, control_w = os.pipe()
    report_r, report_w = os.pipe()
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    cmd = [sys.executable, "-I", "-S", "-B", f"{HARNESS}/{header['script']}", "--control-fd", str(control_r),
           "--report-fd", str(report_w), "--site-packages", SITE_PACKAGES]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out_w, stderr=err_w, cwd="/job", env=ENV,
                            pass_fds=(control_r, report_w), start_new_session=True)
    for fd in (control_r, report_w, out_w, err_w):
        os.close(fd)
    deadline = time.monotonic() + float(header["timeout"])
    tags = {out_r: b"o", err_r: b"e", report_r: b"r"}
    pending = memoryview(control)
    os.set_blocking(control_w, False)
    pidfd = os.pidfd_open(proc.pid)
    timed_out = False
    writers = [control_w] if pending else []
    if not pending:
        os.close(control_w)
    while tags:
        left = deadline - time.monotonic()
        if left <= 0:
            timed_out = True
            break
        readable, writable, _ = select.select([*tags, pidfd, 0], writers, [], left)
        if writable:
            try:
                pending = pending[os.write(control_w, pending):]
            except BrokenPipeError:
                pending = pending[:0]
            if not pending:
                writers = []
                os.close(control_w)
        for fd in readable:
            if fd == 0 and not os.read(0, CHUNK):
                timed_out = True  # the host is gone: stop the job now
                tags.clear()
                break
            if fd in tags:
                chunk = os.read(fd, CHUNK)
                if chunk:
                    frame(tags[fd], chunk)
                else:
                    del tags[fd]
        if pidfd in readable and tags:
            _drain(tags)  # the harness has exited: what its children still hold open does not matter
            break
    if writers:
        os.close(control_w)
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    os.kill(-1, signal.SIGKILL)  # every other process in the container (PID 1 itself is exempt)
    rc = proc.wait()
    return {"returncode": rc, "timed_out": timed_out, **_memory_events()}


def _drain(tags: dict) -> None:
    for fd, tag in list(tags.items()):
        os.set_blocking(fd, False)
        try:
            while chunk := os.read(fd, CHUNK):
                frame(tag, chunk)
        except BlockingIOError:
            pass


def main() -> int:
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # as PID 1, a signal without a handler is ignored
    try:
        _harden()
    except OSError as exc:
        frame(b"x", json.dumps({"error": f"sandbox hardening failed: {exc}"}).encode())
        return 70
    frame(b"R")
    header = _read_header()
    if header is None:
        return 0
    control = _read_exactly(0, int(header["control_len"]))
    frame(b"x", json.dumps(_run(header, control)).encode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
