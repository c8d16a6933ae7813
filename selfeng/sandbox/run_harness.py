"""Runs *inside* the sandbox: import one tool, bind the JSON arguments, call it, answer in JSON.

Standalone (stdlib only). The request arrives on a control pipe and the answer leaves on a report pipe,
so whatever the tool prints stays in stdout and cannot corrupt the answer.

Start-up time is most of a tool call, so this imports only built-in modules on the happy path: the
request (already JSON-normalised by the trusted parent) comes as `marshal`, and the answer is encoded
by a small JSON writer over `_json`'s C string escaper; `json`, `signal` and `os` would pull in `re`,
`enum` and `_collections_abc` (10-20 ms on a busy machine).
"""
import _json
import _signal
import errno
import marshal
import posix
import sys
import time

# errno values that mean "the sandbox said no" rather than "the tool has a bug".
_BLOCKED_ERRNOS = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENETUNREACH, errno.ENETDOWN,
                   errno.ECONNREFUSED, errno.EHOSTUNREACH, errno.EAGAIN, errno.EFBIG, errno.ENOSPC,
                   errno.ENOMEM, errno.EADDRNOTAVAIL}


def _arg(name: str) -> str:
    return sys.argv[sys.argv.index(name) + 1]


def _add_site_packages() -> None:
    """The interpreter starts with -S (faster); put the installed packages back on sys.path."""
    for d in _arg("--site-packages").split(":"):
        if d and d not in sys.path:
            sys.path.append(d)


def _read_all(fd: int) -> bytes:
    chunks = []
    while True:
        chunk = posix.read(fd, 65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _depth(path: str, roots: list) -> int:
    """Length of the longest root that `path` lies under (-1: none)."""
    return max((len(r) for r in roots if path == r or path.startswith(r.rstrip("/") + "/")), default=-1)


def classify(exc: BaseException, hidden: list, visible: list = ()) -> str:
    """`sandbox_violation` when isolation blocked the tool, else `runtime_error`."""
    import os
    import socket

    if isinstance(exc, (MemoryError, socket.gaierror, socket.herror)):
        return "sandbox_violation"
    if isinstance(exc, FileNotFoundError):
        # A path under a hidden directory looks missing from inside; that is isolation, not a bug.
        # The most specific entry decides: "/" hidden, /tmp visible, the data folder under it hidden...
        for name in (exc.filename, exc.filename2):
            if isinstance(name, str):
                path = os.path.abspath(name)
                if _depth(path, hidden) > _depth(path, visible):
                    return "sandbox_violation"
        return "runtime_error"
    if isinstance(exc, OSError) and exc.errno in _BLOCKED_ERRNOS:
        return "sandbox_violation"
    return "runtime_error"


class NotSerialisable(TypeError):
    pass


def to_json(value, depth: int = 0):
    """Tuples/sets become lists, numpy-likes use .tolist()/.item(); anything else must already be JSON."""
    if depth > 100:
        raise NotSerialisable("result is nested too deeply (or circular)")
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)  # NaN/inf travel as JSON's NaN/Infinity extension, which Python reads back
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if isinstance(k, str):
                key = str.__str__(k)
            elif k is None or isinstance(k, (bool, int, float)):
                key = _dumps(to_json(k))  # what json.dumps does with such keys
            else:
                raise NotSerialisable(f"dict key {k!r} of type {type(k).__name__} is not JSON-serialisable")
            out[key] = to_json(v, depth + 1)
        return out
    if isinstance(value, (list, tuple)):
        return [to_json(v, depth + 1) for v in value]
    if isinstance(value, (set, frozenset)):
        items = [to_json(v, depth + 1) for v in value]
        try:
            return sorted(items)
        except TypeError:
            return items
    if isinstance(value, (bytes, bytearray)):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            raise NotSerialisable("bytes result is not UTF-8 text") from None
    for attr in ("tolist", "item"):  # numpy arrays and scalars, without importing numpy
        method = getattr(value, attr, None)
        if callable(method):
            try:
                return to_json(method(), depth + 1)
            except (TypeError, ValueError):
                pass
    if hasattr(value, "isoformat"):  # date, datetime, time
        return to_json(value.isoformat(), depth + 1)
    import dataclasses
    import os

    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_json(dataclasses.asdict(value), depth + 1)
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    raise NotSerialisable(f"result of type {type(value).__name__} is not JSON-serialisable")


_INF = float("inf")


def _dumps(v) -> str:
    """JSON text for values `to_json` produced (plain dict/list/str/int/float/bool/None)."""
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    t = type(v)
    if t is str:
        return _json.encode_basestring_ascii(v)
    if t is int:
        return int.__repr__(v)
    if t is float:
        if v != v:
            return "NaN"
        if v == _INF or v == -_INF:
            return "Infinity" if v > 0 else "-Infinity"
        return float.__repr__(v)
    if t is dict:
        return "{" + ",".join(_json.encode_basestring_ascii(k) + ":" + _dumps(x) for k, x in v.items()) + "}"
    if t is list:
        return "[" + ",".join(_dumps(x) for x in v) + "]"
    raise NotSerialisable(f"cannot encode {t.__name__}")


def _describe(exc: BaseException) -> str:
    """`Type: message` for any exception, even one whose __str__ (or class name) misbehaves."""
    try:
        name = type.__dict__["__name__"].__get__(type(exc))  # not a metaclass's __name__ override
    except BaseException:  # noqa: BLE001
        name = "exception"
    try:
        message = str.__str__(str(exc))
    except BaseException as inner:  # noqa: BLE001 - the tool's __str__ is untrusted code
        message = f"<the exception's message could not be formatted: {type(inner).__name__}>"
    return f"{name}: {message}" if message else name


def _failure(exc: BaseException, hidden: list, visible: list, prefix: str = "") -> dict:
    try:
        error_type = classify(exc, hidden, visible)
    except BaseException:  # noqa: BLE001 - e.g. an OSError subclass whose errno property raises
        error_type = "runtime_error"
    return {"success": False, "error": prefix + _describe(exc), "error_type": error_type}


def _call(request: dict) -> dict:
    name, arguments = request["function_name"], request["arguments"]
    hidden, visible = request.get("hidden", []), request.get("visible", [])
    sys.path.insert(0, posix.getcwd())
    try:
        __import__(name)
        func = getattr(sys.modules[name], name)
    except BaseException as exc:  # noqa: BLE001 - the tool's import is untrusted code
        return _failure(exc, hidden, visible, f"importing {name}: ")
    # Binding is checked only when the call raises TypeError: arguments that do not bind raise it
    # before the body runs, so the verdict is the same and `inspect` (~15 ms to import) stays unloaded.
    try:
        result = func(**arguments)
    except TypeError as exc:
        try:
            mismatch = _mismatch(func, arguments)
        except BaseException:  # noqa: BLE001 - a signature of the tool's making
            mismatch = None
        if mismatch:
            return {"success": False, "error": mismatch, "error_type": "argument_mismatch"}
        return _failure(exc, [], [])
    except BaseException as exc:  # noqa: BLE001 - including SystemExit from the tool
        return _failure(exc, hidden, visible)
    try:
        return {"success": True, "result": to_json(result), "error": None, "error_type": None}
    except NotSerialisable as exc:
        return {"success": False, "error": str(exc), "error_type": "runtime_error"}
    except BaseException as exc:  # noqa: BLE001 - the result's own methods (tolist, items...) raised
        return {"success": False, "error": f"the result could not be converted to JSON: {_describe(exc)}",
                "error_type": "runtime_error"}


def _encode_answer(answer: dict, limit: int) -> bytes:
    """The answer line; a result too big to send becomes an explicit error instead."""
    try:
        data = _dumps(answer).encode()
    except BaseException as exc:  # noqa: BLE001 - NotSerialisable, RecursionError, MemoryError
        return _dumps({"event": "result", "success": False, "error_type": "runtime_error", "result": None,
                       "error": f"result is not JSON-serialisable: {_describe(exc)}"}).encode()
    if len(data) > limit:
        return _dumps({"event": "result", "success": False, "error_type": "runtime_error", "result": None,
                       "call_ms": answer.get("call_ms"),
                       "error": f"the result is {len(data) / 1e6:.1f} MB; the limit is {limit / 1e6:g} MB"
                       }).encode()
    return data


def _mismatch(func, arguments: dict) -> str | None:
    """Why `arguments` do not bind to `func`'s signature, or None when they do."""
    import inspect

    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):
        return None  # not introspectable: cannot prove a mismatch
    try:
        sig.bind(**arguments)
    except TypeError as exc:
        return f"arguments do not match {getattr(func, '__name__', 'tool')}{sig}: {exc}"
    return None


def main() -> int:
    control_fd, report_fd = int(_arg("--control-fd")), int(_arg("--report-fd"))
    _add_site_packages()
    sys.set_int_max_str_digits(0)  # big integers are results like any other (the size limit applies)
    request = marshal.loads(_read_all(control_fd))
    posix.close(control_fd)
    _signal.signal(_signal.SIGXFSZ, _signal.SIG_IGN)  # oversize writes raise EFBIG instead of killing us
    posix.write(report_fd, b'{"event": "started"}\n')
    pid = posix.getpid()
    start = time.perf_counter()
    answer = _call(request)
    if posix.getpid() != pid:
        posix._exit(0)  # a child the tool forked must not answer for it
    answer["call_ms"] = round((time.perf_counter() - start) * 1000, 3)
    answer["event"] = "result"
    data = memoryview(_encode_answer(answer, request.get("result_limit", 1_000_000)) + b"\n")
    while data:
        data = data[posix.write(report_fd, data):]
    return 0


if __name__ == "__main__":
    code = main()
    # Skip interpreter teardown (a few ms); the answer is written, only the tool's buffers remain.
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001 - a tool may have closed or replaced them
            pass
    posix._exit(code)
