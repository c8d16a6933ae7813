"""The `selfeng` command: ask, chat, tools, seed, eval."""
from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from . import events as ev


class StagePrinter:
    """Prints each agent event as one line, the moment it happens."""

    def __init__(self, stream=sys.stderr, verbose: bool = False):
        self.stream = stream
        self.verbose = verbose
        self.t0 = time.perf_counter()

    def __call__(self, event: str, data: dict[str, Any]) -> None:
        line = self.describe(event, data)
        if line:
            self.stream.write(f"[{time.perf_counter() - self.t0:6.1f}s] {line}\n")
            self.stream.flush()

    def describe(self, event: str, d: dict[str, Any]) -> str | None:
        if event == ev.SEARCHING:
            return "searching the tool library…"
        if event == ev.TOOL_FOUND:
            sim = d.get("similarity")
            return f"found tool {d.get('tool_name')}" + (f" (similarity {sim:.2f})" if isinstance(sim, float) else "")
        if event == ev.NO_TOOL_FOUND:
            return "no tool fits"
        if event == ev.ENTERING_SYNTHESIS_MODE:
            return "writing a new tool, test-first"
        if event == ev.SYNTHESIS_STEP:
            step, status = d.get("step"), d.get("status")
            extra = ""
            if step == "specification" and status == "complete":
                extra = f": {d.get('signature', '')}"
            elif step == "tests" and status == "complete":
                extra = f": {d.get('test_count')} tests frozen"
            elif step == "verification" and "tests_passed" in d:
                extra = f": {d.get('tests_passed')} passed, {d.get('tests_failed')} failed"
            if (d.get("evidence") or {}).get("summary") and status in ("complete", "failed"):
                extra += f" — {d['evidence']['summary']}"
            elif d.get("dropped_tests"):
                extra += f" (dropped on evidence: {', '.join(d['dropped_tests'])})"
            if d.get("message"):
                extra += f" — {d['message']}"
            if d.get("error") and status == "failed":
                extra += f": {str(d['error']).splitlines()[0]}"
            return f"  {step:<15} {status}{extra}"
        if event == ev.SYNTHESIS_COMPLETE:
            if d.get("experimental"):
                return f"tool {d.get('tool_name')} registered as EXPERIMENTAL (not verified)"
            return f"tool {d.get('tool_name')} verified and registered ({d.get('evidence') or 'tests pass'})"
        if event == ev.SYNTHESIS_FAILED:
            return f"synthesis failed at {d.get('step')}: {str(d.get('error', '')).splitlines()[0]}"
        if event == ev.EXECUTING:
            return f"running {d.get('tool_name')} in the sandbox…"
        if event == ev.EXECUTION_COMPLETE:
            if d.get("success"):
                return f"  result: {json.dumps(d.get('result'), ensure_ascii=False, default=str)[:200]}"
            return f"  failed ({d.get('error_type')}): {str(d.get('error'))[:200]}"
        if event == ev.SYNTHESIZING_RESPONSE:
            return "writing the answer…"
        if event == ev.ERROR:
            return f"error: {d.get('error')}"
        if event == ev.COMPLETE:
            return None
        return f"{event}: {json.dumps(d, default=str)[:200]}" if self.verbose else None


def _orchestrator():
    from .orchestrator import AgentOrchestrator
    return AgentOrchestrator()


def cmd_ask(args) -> int:
    orch = _orchestrator()
    printer = StagePrinter(verbose=args.verbose)
    result = orch.process_request(" ".join(args.prompt), session_id=args.session, callback=printer)
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    else:
        print(result["response"])
    return 0 if result["success"] else 1


def cmd_chat(args) -> int:
    orch = _orchestrator()
    sid = orch.memory_manager.start_session(args.session)
    print(f"selfeng chat — {orch.get_tool_count()} tools in the library, session {sid}.")
    print("Ask for something; type 'tools' to list the library, 'exit' to quit.")
    while True:
        try:
            line = input("you> ").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if not line:
            continue
        if line in ("exit", "quit"):
            return 0
        if line == "tools":
            for t in orch.get_all_tools():
                print(f"  {t['name']}: {t.get('docstring', '')}")
            continue
        result = orch.process_request(line, session_id=sid, callback=StagePrinter(sys.stdout))
        print(f"selfeng> {result['response']}\n")


def cmd_tools(args) -> int:
    from .capability_registry import CapabilityRegistry
    reg = CapabilityRegistry()
    if args.action == "list":
        tools = reg.get_all_tools()
        for t in tools:
            flag = " [EXPERIMENTAL]" if t.get("experimental") else ""
            print(f"{t['name']}{flag}  {t.get('signature', '')}\n    {t.get('docstring', '')}")
        print(f"{len(tools)} tool(s)")
        return 0
    if not args.name:
        print(f"selfeng tools {args.action}: a tool name is required", file=sys.stderr)
        return 2
    if args.action == "show":
        t = reg.get_tool_by_name(args.name)
        if t is None:
            print(f"no tool named {args.name!r}", file=sys.stderr)
            return 1
        print(f"# {t['name']}  {t.get('signature', '')}\n# {t.get('docstring', '')}")
        print(f"# verified: {t.get('tests_verified')}  experimental: {t.get('experimental')}  "
              f"uses: {t.get('usage_count')}  success rate: {t.get('success_rate')}")
        print(t["code"])
        print("# --- tests ---")
        print(t["tests"])
        return 0
    if args.action == "delete":
        if reg.delete_tool(args.name):
            print(f"deleted {args.name}")
            return 0
        print(f"no tool named {args.name!r}", file=sys.stderr)
        return 1
    return 2


def cmd_seed(args) -> int:
    from .seed_tools import install_seed_tools
    report = install_seed_tools(progress=lambda m: print(m, file=sys.stderr))
    print(json.dumps(report, indent=2))
    return 0 if all(r["status"] in ("registered", "exists") for r in report) else 1


def cmd_import_seeds(args) -> int:
    from .store.seeds_import import import_seeds_library
    orch = _orchestrator()
    report = import_seeds_library(args.directory, orch.registry, orch.sandbox,
                                  progress=lambda m: print(m, file=sys.stderr))
    print(json.dumps(report, indent=2))
    return 0 if all(r["status"] in ("registered", "exists") for r in report) else 1


def cmd_patterns(args) -> int:
    orch = _orchestrator()
    patterns = orch.workflow_tracker.get_workflow_patterns(min_frequency=args.min_frequency, limit=args.limit)
    composites = [t for t in orch.get_all_tools() if t.get("component_tools")]
    if args.json:
        print(json.dumps({"patterns": patterns, "composites": [
            {"name": t["name"], "component_tools": t["component_tools"], "usage_count": t.get("usage_count")}
            for t in composites]}, indent=2, default=str))
        return 0
    print(f"{len(patterns)} learned pattern(s) seen at least {args.min_frequency} time(s):")
    for p in patterns:
        comp = f"  -> composite {p['composite_tool']}" if p.get("composite_tool") else ""
        print(f"  {' > '.join(p['tool_sequence'])}\n    frequency {p['frequency']}, success "
              f"{p['avg_success_rate']:.0%}, confidence {p['confidence_score']:.2f}{comp}")
    print(f"{len(composites)} composite tool(s):")
    for t in composites:
        print(f"  {t['name']} = {' > '.join(t['component_tools'])} (used {t.get('usage_count', 0)} times)")
    return 0


def cmd_serve(args) -> int:
    from .config import load_settings
    from .web.app import serve
    settings = load_settings()
    host, port = args.host or settings.web_host, args.port or settings.web_port
    if args.workers:
        if not settings.broker_url:
            print("selfeng serve --workers: set SELFENG_BROKER_URL first", file=sys.stderr)
            return 2
        from .broker.commands import start_local_workers
        start_local_workers(args.workers, settings.broker_url)
    serve(host=host, port=port)
    return 0


def cmd_eval(args) -> int:
    """Run one evaluation, print its table, write its JSON (see selfeng/evaluation/)."""
    import signal

    from . import evaluation
    from .config import load_settings
    # A killed run (timeout, kill) still removes its temporary libraries: SIGTERM unwinds like Ctrl+C.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    settings = load_settings()
    path = args.json or evaluation.default_json_path(settings, args.suite)
    save = lambda report: evaluation.write_json(path, report)  # noqa: E731 - after every item, too
    if args.suite == "humaneval":
        report = evaluation.evaluate_humaneval(args.every, args.limit, settings=settings, checkpoint=save,
                                                 offset=args.offset)
        table = evaluation.humaneval_table(report)
    else:
        try:
            report = evaluation.evaluate_requests(args.file, args.split, settings=settings, data_dir=args.data_dir,
                                                  single_shot=args.single_shot, checkpoint=save,
                                                  category=args.category)
        except (OSError, ValueError) as exc:  # a missing or malformed set, or nothing selected
            print(f"selfeng eval: {exc}", file=sys.stderr)
            return 2
        table = evaluation.requests_table(report)
    save(report)
    print(table)
    print(f"\nJSON written to {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="selfeng", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    a = sub.add_parser("ask", help="answer one request, writing a tool if none fits")
    a.add_argument("prompt", nargs="+")
    a.add_argument("--json", action="store_true", help="print the full result as JSON")
    a.add_argument("--session", help="session id, for follow-up context")
    a.add_argument("-v", "--verbose", action="store_true")
    a.set_defaults(func=cmd_ask)
    c = sub.add_parser("chat", help="interactive session with memory")
    c.add_argument("--session")
    c.set_defaults(func=cmd_chat)
    t = sub.add_parser("tools", help="manage the tool library")
    t.add_argument("action", choices=["list", "show", "delete"])
    t.add_argument("name", nargs="?")
    t.set_defaults(func=cmd_tools)
    pt = sub.add_parser("patterns", help="learned workflow patterns and composite tools")
    pt.add_argument("--min-frequency", type=int, default=2)
    pt.add_argument("--limit", type=int, default=20)
    pt.add_argument("--json", action="store_true")
    pt.set_defaults(func=cmd_patterns)
    w = sub.add_parser("serve", help="start the web UI (Flask + Socket.IO)")
    w.add_argument("--host")
    w.add_argument("--port", type=int)
    w.add_argument("--workers", type=int, default=0,
                   help="with SELFENG_BROKER_URL: also start N local `selfeng worker` processes")
    w.set_defaults(func=cmd_serve)
    from .broker.commands import add_parsers as add_broker_parsers
    add_broker_parsers(sub)  # worker, cluster
    s = sub.add_parser("seed", help="verify and install the seed tools")
    s.set_defaults(func=cmd_seed)
    im = sub.add_parser("import-seeds-library",
                        help="verify and register a library in the seeds' layout (DIR/tools/NAME.py + test_NAME.py)")
    im.add_argument("directory")
    im.set_defaults(func=cmd_import_seeds)
    e = sub.add_parser("eval", help="judge the pipeline on your model: HumanEval, or a request set")
    suites = e.add_subparsers(dest="suite", required=True)
    he = suites.add_parser("humaneval", help="pipeline vs single-shot on HumanEval (offline problems)")
    he.add_argument("--every", type=int, default=4, help="problems 0, K, 2K, ... (default 4: 41 problems)")
    he.add_argument("--offset", type=int, default=0,
                    help="start at problem OFFSET: a disjoint set to tune on (default 0)")
    he.add_argument("--limit", type=int, help="at most N problems")
    he.add_argument("--json", help="where to write the JSON report (default: <data dir>/outputs/)")
    rq = suites.add_parser("requests", help="a JSON list of {request, expect} in order, one growing library")
    rq.add_argument("file")
    rq.add_argument("--split", choices=["tune", "holdout", "all"], default="all")
    rq.add_argument("--category", help="only the requests of this category (e.g. data)")
    rq.add_argument("--json", help="where to write the JSON report (default: <data dir>/outputs/)")
    rq.add_argument("--data-dir", help="library to use and keep (default: a fresh temporary one)")
    rq.add_argument("--single-shot", action="store_true",
                    help="also run the one-call baseline on each request (one more model call each)")
    e.set_defaults(func=cmd_eval)
    return p


def main(argv: list[str] | None = None) -> int:
    import logging
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    from .config import ConfigError
    try:
        return args.func(args)
    except ConfigError as exc:
        print(f"selfeng: configuration error: {exc}", file=sys.stderr)
        return 2
