"""Runs *inside* the sandbox: tool code in its own process, called from the pytest process over pipes.

Standalone (stdlib only), imported by verify_harness.py. `start()` forks before the harness reads its
nonce or imports pytest, so the child's memory holds nothing worth stealing; the child closes the
harness's control and report pipes and then serves `import` and `call` requests. The pytest side makes
itself non-dumpable (PR_SET_DUMPABLE 0), so the same-uid child can neither ptrace it nor open
/proc/<ppid>/mem or /proc/<ppid>/fd/<report pipe>. Tests see `ToolModule` proxies in sys.modules;
arguments, results and exceptions cross as tagged JSON, so only plain data ever reaches the pytest
process (no pickle, no objects with behaviour of the tool's choosing).
"""
import base64
import builtins
import datetime
import json
import math
import os
import sys
import threading
import time
import traceback
import types

# One JSON object per line each way. Requests: {"id", "op": "import"|"call", "module", "name", "args",
# "kwargs", "cwd"}; answers: {"id", "ok": ..., "out", "err"} or {"id", "error": {...}, "out", "err"}.


class Unencodable(TypeError):
    pass


# -- tagged JSON ------------------------------------------------------------------------------------
# Lists, str, int, bool, None and finite floats are themselves; everything else is {"$": tag, "v": ...}.

def encode(value, depth: int = 0):
    if depth > 200:
        raise Unencodable("value is nested too deeply (or circular)")
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return str(value)  # str subclasses (StrEnum) arrive as plain str, equal as before
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        value = float(value)
        return value if math.isfinite(value) else {"$": "float", "v": repr(value)}
    if isinstance(value, list):
        return [encode(v, depth + 1) for v in value]
    if isinstance(value, tuple):
        return {"$": "tuple", "v": [encode(v, depth + 1) for v in value]}
    if isinstance(value, dict):
        return {"$": "dict", "v": [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in value.items()]}
    if isinstance(value, (set, frozenset)):
        tag = "frozenset" if isinstance(value, frozenset) else "set"
        return {"$": tag, "v": [encode(v, depth + 1) for v in value]}
    if isinstance(value, (bytes, bytearray)):
        return {"$": type(value).__name__ if type(value) in (bytes, bytearray) else "bytes",
                "v": base64.b64encode(value).decode()}
    if isinstance(value, complex):
        return {"$": "complex", "v": [encode(value.real), encode(value.imag)]}
    if isinstance(value, (datetime.date, datetime.time)):  # datetime.datetime is a date too
        # JSON has no dates, so `run_tool` gives users a date as its ISO 8601 text; the tests observe what
        # users get (a tool answering "45 days after 2024-01-15" with a date object answers "2024-02-29")
        return value.isoformat()
    if type(value).__module__ == "numpy":  # numpy scalars and plain arrays, common in data tools
        if getattr(value, "ndim", None) == 0 and hasattr(value, "item"):
            return encode(value.item(), depth + 1)
        if type(value).__name__ == "ndarray" and value.dtype.kind in "biufcUS":
            return {"$": "ndarray", "dtype": value.dtype.str, "v": encode(value.tolist(), depth + 1)}
    raise Unencodable(f"a {type(value).__module__}.{type(value).__qualname__} cannot cross between the tool "
                      "process and the tests (only None, bool, int, float, complex, str, bytes, list, tuple, "
                      "dict, set, frozenset, numpy numbers/arrays and dates, as ISO 8601 text, can)")


def decode(value):
    if isinstance(value, list):
        return [decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    tag, v = value.get("$"), value.get("v")
    if tag == "float":
        return float(v)
    if tag == "tuple":
        return tuple(decode(x) for x in v)
    if tag == "dict":
        return {decode(k): decode(x) for k, x in v}
    if tag == "set":
        return {decode(x) for x in v}
    if tag == "frozenset":
        return frozenset(decode(x) for x in v)
    if tag in ("bytes", "bytearray"):
        raw = base64.b64decode(v)
        return raw if tag == "bytes" else bytearray(raw)
    if tag == "complex":
        return complex(decode(v[0]), decode(v[1]))
    if tag == "ndarray":
        import numpy
        return numpy.array(decode(v), dtype=value["dtype"])
    raise ValueError(f"unknown tag {tag!r}")


def dumps(obj) -> bytes:
    return json.dumps(obj).encode() + b"\n"


# -- the child: tool code lives here ----------------------------------------------------------------

def _exception_info(exc: BaseException) -> dict:
    if isinstance(exc, StopIteration):
        # PEP 479's rule, applied at the tool boundary: a StopIteration escaping the tool would otherwise end a
        # test's `for`/`zip(map(tool, xs), wants)` loop silently, and the test would pass having checked nothing.
        cause = exc
        exc = RuntimeError("the tool raised StopIteration")
        exc.__cause__, exc.__traceback__ = cause, cause.__traceback__
    mro = [[str(c.__module__), str(c.__qualname__)] for c in type(exc).__mro__
           if c not in (object, BaseException)]
    try:  # the exception is the tool's object: its __str__ may misbehave too
        args = encode(list(exc.args))
    except Exception:  # noqa: BLE001
        args = None
    try:
        message = str(exc)[:2000]
        frames = exc.__traceback__.tb_next if exc.__traceback__ else None  # skip _serve's own frame
        tb = "".join(traceback.format_exception(type(exc), exc, frames))[-3000:]
    except Exception:  # noqa: BLE001
        message, tb = "<unprintable exception>", ""
    return {"mro": mro, "args": args, "message": message, "traceback": tb}


def _describe(module) -> dict:
    """Public attributes: functions are called remotely, exception classes mirrored, data copied."""
    attrs = {}
    for name, value in vars(module).items():
        if name.startswith("__") or isinstance(value, types.ModuleType):
            continue
        if isinstance(value, type) and issubclass(value, BaseException):
            attrs[name] = {"kind": "exception", "mro": [[str(c.__module__), str(c.__qualname__)]
                                                        for c in value.__mro__ if c not in (object, BaseException)]}
        elif callable(value):
            attrs[name] = {"kind": "callable", "doc": value.__doc__ if isinstance(value.__doc__, str) else None}
        else:
            try:
                attrs[name] = {"kind": "value", "v": encode(value)}
            except Unencodable:
                continue
    return attrs


def _serve(req_fd: int, ans_fd: int) -> None:
    import importlib
    import io

    sys.path.insert(0, os.getcwd())  # the job directory: the tool and its extra modules
    reader = os.fdopen(req_fd, "rb")
    modules: dict = {}
    while True:
        line = reader.readline()
        if not line:
            os._exit(0)  # the pytest side is done; skip atexit hooks the tool planted
        req = json.loads(line)
        out, err = io.StringIO(), io.StringIO()
        real = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = out, err  # prints reach the test's captured output, not the raw pipes
        try:
            if req.get("cwd") and req["cwd"] != os.getcwd():
                os.chdir(req["cwd"])
            if req["op"] == "import":
                modules[req["module"]] = module = importlib.import_module(req["module"])
                answer = {"ok": _describe(module)}
            else:
                fn = getattr(modules[req["module"]], req["name"])
                result = fn(*decode(req["args"]), **decode(req["kwargs"]))
                answer = {"ok": encode(result)}
        except BaseException as exc:  # noqa: BLE001 - SystemExit too: it becomes a failing test
            answer = {"error": _exception_info(exc)}
        finally:
            sys.stdout, sys.stderr = real
        answer.update(id=req["id"], out=out.getvalue()[-20000:], err=err.getvalue()[-20000:])
        data = memoryview(dumps(answer))
        while data:
            data = data[os.write(ans_fd, data):]


def _no_dump() -> None:
    """PR_SET_DUMPABLE 0: same-uid processes may no longer ptrace us or open our /proc files."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(4, 0, 0, 0, 0) != 0:  # PR_SET_DUMPABLE = 4
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_DUMPABLE, 0) failed")


def start(close_fds: tuple) -> "ToolClient":
    """Fork the tool process; in the child, close `close_fds` and serve forever (never returns)."""
    _no_dump()  # before the fork: the child inherits it, and no moment exists where we are exposed
    req_r, req_w = os.pipe()
    ans_r, ans_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            for fd in (*close_fds, req_w, ans_r):
                os.close(fd)
            _serve(req_r, ans_w)
        finally:
            os._exit(70)
    os.close(req_r)
    os.close(ans_w)
    return ToolClient(pid, req_w, ans_r)


# -- the pytest side --------------------------------------------------------------------------------

class ToolClient:
    """Sends requests to the tool process; records how it ended if it dies."""

    def __init__(self, pid: int, req_fd: int, ans_fd: int) -> None:
        self.pid = pid
        self._req = req_fd
        self._ans = os.fdopen(ans_fd, "rb")
        self._next = 0
        self._lock = threading.Lock()  # tests may call the tool from several threads
        self.ended: dict | None = None  # {"how": ..., "during": ...} once the tool process is gone
        self.calls: list = []  # what every call returned or raised: the observed values the verdict reports

    def request(self, op: str, module: str, name: str = "", args=(), kwargs=None):
        __tracebackhide__ = True
        if self.ended:
            raise RuntimeError(f"the tool process already ended ({self.ended['how']})")
        try:  # encode before sending: an unencodable argument fails this test only
            payload = {"op": op, "module": module, "name": name, "cwd": os.getcwd(),
                       "args": encode(list(args)), "kwargs": encode(dict(kwargs or {}))}
        except Unencodable as exc:
            raise TypeError(f"cannot pass an argument to {module}.{name}: {exc}") from None
        with self._lock:
            answer = self._exchange(payload, f"{op} {module}{'.' + name if name else ''}")
        sys.stdout.write(answer.get("out") or "")
        sys.stderr.write(answer.get("err") or "")
        if op == "call":
            self.calls.append(_observation(name, payload, answer))
        if "error" in answer:
            raise _rebuild(answer["error"])
        return answer.get("ok")

    def _exchange(self, payload: dict, what: str) -> dict:
        __tracebackhide__ = True
        self._next += 1
        payload["id"] = self._next
        try:
            view = memoryview(dumps(payload))
            while view:
                view = view[os.write(self._req, view):]
            while True:  # skip anything the tool wrote into the pipe itself
                line = self._ans.readline()
                if not line:
                    break
                try:
                    answer = json.loads(line)
                except ValueError:
                    continue
                if isinstance(answer, dict) and answer.get("id") == self._next:
                    return answer
        except BrokenPipeError:
            pass
        self.ended = {"how": self._reap(), "during": what}
        raise RuntimeError(f"the tool process ended during `{what}` ({self.ended['how']})")

    def _reap(self) -> str:
        try:
            for _ in range(100):  # a dying process closes its pipes a moment before it can be reaped
                pid, status = os.waitpid(self.pid, os.WNOHANG)
                if pid:
                    break
                time.sleep(0.002)
            else:  # alive but closed its end of the pipe: it is no longer a usable tool process
                os.kill(self.pid, 9)
                _, status = os.waitpid(self.pid, 0)
        except ChildProcessError:
            return "status unknown"
        if os.WIFSIGNALED(status):
            return f"killed by signal {os.WTERMSIG(status)}"
        return f"exit code {os.waitstatus_to_exitcode(status)}"


OBSERVED_CHARS = 4000


def _observation(name: str, payload: dict, answer: dict) -> dict:
    """One call as plain data: the function, its arguments and the value it returned (tagged JSON) or the
    exception it raised. Large values are kept as a digest, which is all that comparing them needs."""
    import hashlib

    row = {"function": name, "args": payload["args"], "kwargs": payload["kwargs"]}
    if "error" in answer:
        info = answer["error"]
        mro = info.get("mro") or [["builtins", "Exception"]]
        # `family`: the nearest built-in class it derives from, so statistics.StatisticsError reads as the
        # ValueError it is (bad input), not as an unknown class (a bug) by a name builtins does not have
        family = next((str(c[1]) for c in mro if c[0] == "builtins"), "Exception")
        row["error"] = {"type": str(mro[0][1]), "family": family, "message": str(info.get("message", ""))[:500],
                        "traceback": str(info.get("traceback", ""))[-1500:]}
        return row
    text = json.dumps(answer.get("ok"), sort_keys=True)
    if len(text) <= OBSERVED_CHARS:
        row["value"] = answer.get("ok")
    else:
        row["digest"] = hashlib.sha256(text.encode()).hexdigest()
        row["chars"] = len(text)
    for key in ("args", "kwargs"):
        if len(json.dumps(row[key])) > OBSERVED_CHARS:
            row[key] = {"$": "omitted", "v": None}
    return row


_mirrored: dict = {}  # (module, qualname) -> exception class the tests see for a tool-defined exception


def _resolve(mro: list) -> type:
    """The first class of the tool exception's MRO we can name safely here: mirrored, builtin or stdlib."""
    for module, qualname in mro:
        cls = _mirrored.get((module, qualname))
        if cls is None and (module == "builtins" or module.split(".")[0] in sys.stdlib_module_names):
            owner = builtins if module == "builtins" else sys.modules.get(module)  # never import here
            cls = getattr(owner, qualname, None) if owner is not None and "." not in qualname else None
        if isinstance(cls, type) and issubclass(cls, Exception):
            return cls
    return RuntimeError


def _rebuild(info: dict) -> Exception:
    cls = _resolve(info.get("mro") or [])
    args = decode(info["args"]) if info.get("args") is not None else [info.get("message", "")]
    try:
        exc = cls(*args)
    except Exception:  # noqa: BLE001 - a constructor with other ideas: keep the type, lose the args
        exc = RuntimeError(info.get("message", ""))
    if cls is RuntimeError and info.get("mro"):
        name = ".".join(info["mro"][0])
        exc = RuntimeError(f"{name}: {info.get('message', '')}")
    tb = (info.get("traceback") or "").strip()
    if tb:
        exc.add_note(f"[in the tool process]\n{tb}")
    return exc


class ToolModule(types.ModuleType):
    """Stands in for a tool module in the pytest process; the real one is imported in the tool process."""

    def __init__(self, name: str, client: ToolClient) -> None:
        super().__init__(name)
        self.__file__ = os.path.join(os.getcwd(), f"{name}.py")
        self.__client = client
        self.__attrs: dict | None = None

    def __getattr__(self, attr: str):
        __tracebackhide__ = True
        if attr.startswith("__") and attr != "__all__":
            raise AttributeError(attr)
        if self.__attrs is None:  # first use imports the real module over there
            self.__attrs = self.__client.request("import", self.__name__)
        if attr == "__all__":
            return [a for a in self.__attrs if not a.startswith("_")]
        desc = self.__attrs.get(attr)
        if desc is None:
            raise AttributeError(f"module {self.__name__!r} has no attribute {attr!r}")
        if desc["kind"] == "value":
            value = decode(desc["v"])
        elif desc["kind"] == "exception":
            base = _resolve(desc["mro"][1:])
            value = type(attr, (base,), {"__module__": self.__name__})
            _mirrored[tuple(desc["mro"][0])] = value  # raised by the tool -> raised as this class here
        else:
            value = self._remote(attr, desc.get("doc"))
        setattr(self, attr, value)  # cached: __getattr__ runs once per name
        return value

    def _remote(self, attr: str, doc):
        client, module = self.__client, self.__name__

        def call(*args, **kwargs):
            __tracebackhide__ = True
            return decode(client.request("call", module, attr, args, kwargs))

        call.__name__ = call.__qualname__ = attr
        call.__module__, call.__doc__ = module, doc
        return call


def install(names: list, client: ToolClient) -> None:
    """Put proxies in sys.modules: found before any import hook, so no finder loads the real files here."""
    for name in names:
        sys.modules[name] = ToolModule(name, client)
