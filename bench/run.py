"""Benchmarks: the platform against a bare Flask-SocketIO floor, in the same run.

    bench/run.sh                       # everything, the issue's sizes (about 10 minutes)
    bench/run.sh --quick               # small sizes, a smoke run (about 2 minutes)
    bench/run.sh --only connections,fanout --targets floor,sqlite

Each scenario starts a fresh server pinned to core 1 (``taskset -c 1``) and runs the
Node load generator (bench/loadgen.js, the official socket.io-client) pinned to core
0; on a machine with one core both share it. Scenarios:

1. connections: N authenticated WebSocket clients held; server RSS per connection.
2. fanout: one booth room, M receivers, one sender at R msg/s for D s; delivery
   latency p50/p99 measured on one clock (sender and receivers share the load
   generator's process), all delivered? in order?
3. acked: S senders in B booth rooms, each sends its next message when the ack of
   the previous one came back; acks/s (every platform message is stored first).
4. redis: two platform processes on PostgreSQL + Redis, receivers on both, the
   sender on one: loss, order, and p99 against one process without a queue.
5. settings: the floor with one server setting flipped (TCP_NODELAY, WebSocket
   compression, connection cap), to show what each costs.
6. confday (only with ``--only confday``): a conference day (bench/confday.js): N attendees
   log in for real over a ramp, browse, hold a connection in the lobby, booths and a
   session room, move, chat, send direct messages; delivery and HTTP p50/p99, errors,
   lost messages, server CPU and RSS, the generator's CPU; the service levels
   (CONFDAY_SLO) met or not. ``--find-max`` steps N up to the first run that misses one.
   Targets (``--confday-targets``): sqlite, postgresql (one process, core 1), redis2 (two
   processes on PostgreSQL + Redis on cores 1 and 0: the generator shares core 0).

``--async-modes eventlet,gevent`` runs every scenario under each mode (the platform's
SOCKETIO_ASYNC_MODE; the floor is always eventlet) and prints the ratios between them.

Targets: floor (bench/floor_server.py: no auth, no database, the platform's server
settings), sqlite and postgresql (the platform, CHAT_RATE_LIMIT=0, accounts from
bench/prepare_platform.py). Figures are printed and written to bench/results/.
"""
from __future__ import annotations

import argparse
import functools
import json
import os
import platform as pyplatform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import requests

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"
PY = sys.executable
PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/exhibition_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
SECRET = secrets.token_hex(16)
ASYNC_MODE = ["eventlet"]  # the platform's SOCKETIO_ASYNC_MODE for the servers started now (--async-modes)

FULL = {"n": 10000, "receivers": 1000, "rate": 20, "seconds": 10, "senders": 100, "rooms": 20}
QUICK = {"n": 1000, "receivers": 200, "rate": 20, "seconds": 4, "senders": 40, "rooms": 8}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pinned(core: str, cmd: list[str]) -> list[str]:
    return (["taskset", "-c", core] if shutil.which("taskset") and os.cpu_count() > 1 else []) + cmd


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Server:
    def __init__(self, name: str, cmd: list[str], env: dict, port: int, core: str = "1"):
        self.name, self.port = name, port
        self.url = f"http://127.0.0.1:{port}"
        self.log = (RESULTS / f"server-{name}-{port}.log").open("w")
        self.proc = subprocess.Popen(pinned(core, cmd), cwd=str(ROOT), env=env, stdout=self.log,
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{name} exited; see {self.log.name}")
            try:
                if requests.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{name} did not start; see {self.log.name}")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def server_env(extra: dict) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SOCKETIO_", "DATABASE_URL"))}
    env.update({"PYTHONUNBUFFERED": "1", "SECRET_KEY": SECRET, "EXHIBITION_DEMO": "0", "CHAT_RATE_LIMIT": "0",
                "SOCKETIO_ASYNC_MODE": ASYNC_MODE[0]})
    env.update(extra)
    return env


def start_floor(flags: list[str] | None = None) -> Server:
    port = free_port()
    return Server("floor", [PY, str(BENCH / "floor_server.py"), "--port", str(port), *(flags or [])],
                  server_env({}), port)


def start_rival() -> Server:
    """The Node socket.io rival (bench/rival_server.js): same events as the floor."""
    port = free_port()
    return Server("node", ["node", str(BENCH / "rival_server.js"), "--port", str(port)], server_env({}), port)


def start_platform(database_url: str, queue: str | None = None, name: str = "platform", core: str = "1",
                   extra_env: dict | None = None) -> Server:
    port = free_port()
    extra = {"PORT": str(port), "DATABASE_URL": database_url, **(extra_env or {})}
    if queue:
        extra["SOCKETIO_MESSAGE_QUEUE"] = queue
    return Server(name, [PY, "run.py"], server_env(extra), port, core)


def prepare(database_url: str, users: int, booths: int) -> list[str]:
    out = RESULTS / "cookies.json"
    subprocess.run([PY, str(BENCH / "prepare_platform.py"), "--database-url", database_url, "--secret-key", SECRET,
                    "--users", str(users), "--booths", str(booths), "--out", str(out)],
                   cwd=str(ROOT), check=True, stdout=subprocess.DEVNULL)
    return json.loads(out.read_text())


def loadgen(options: dict, on_ready=None, script: str = "loadgen.js") -> dict:
    cookies = options.pop("cookies", None)
    if cookies:  # too many for the command line: through a file
        path = RESULTS / "loadgen-cookies.json"
        path.write_text(json.dumps(cookies))
        options["cookiesFile"] = str(path)
    proc = subprocess.Popen(pinned("0", ["node", str(BENCH / script), json.dumps(options)]),
                            cwd=str(ROOT), stdout=subprocess.PIPE, text=True)
    result, extra = {}, {}
    for line in proc.stdout:
        event = json.loads(line)
        if event["event"] == "ready" and on_ready:
            extra = on_ready(event) or {}
        elif event["event"] in ("result", "error"):
            result = event
    proc.wait()
    result.update(extra)
    if "loadgen_cpu_seconds" in result:
        result["loadgen_cpu_share"] = round(result["loadgen_cpu_seconds"] / result["loadgen_wall_seconds"], 2)
    return result


def scenario_connections(server: Server, n: int, cookies: list[str], deflate: bool = False) -> dict:
    loadgen({"scenario": "connections", "url": server.url, "n": 50, "hold": 0.5, "cookies": cookies})
    time.sleep(1.5)
    base = rss_kb(server.proc.pid)

    def measure(_ready):
        time.sleep(3)
        rss = rss_kb(server.proc.pid)
        return {"rss_base_kb": base, "rss_held_kb": rss}

    r = loadgen({"scenario": "connections", "url": server.url, "n": n, "hold": 4, "cookies": cookies,
                 "concurrency": 100, "deflate": deflate}, measure)
    if r.get("connected"):
        r["kb_per_connection"] = round((r["rss_held_kb"] - r["rss_base_kb"]) / r["connected"], 1)
    return r


def scenario_fanout(receivers_on: list[Server], sender_on: Server, room: str, size: dict, cookies: list[str],
                    deflate: bool = False) -> dict:
    cpu0 = {s.name: cpu_seconds(s.proc.pid) for s in receivers_on}
    r = loadgen({"scenario": "fanout", "url": receivers_on[0].url, "receiverUrls": [s.url for s in receivers_on],
                 "senderUrl": sender_on.url, "receivers": size["receivers"], "rate": size["rate"],
                 "seconds": size["seconds"], "room": room, "cookies": cookies, "deflate": deflate})
    r["server_cpu_seconds"] = {s.name: round(cpu_seconds(s.proc.pid) - cpu0[s.name], 2) for s in receivers_on}
    return r


def scenario_acked(server: Server, size: dict, room_prefix: str, cookies: list[str]) -> dict:
    r = loadgen({"scenario": "acked", "url": server.url, "senders": size["senders"], "rooms": size["rooms"],
                 "roomPrefix": room_prefix, "seconds": size["seconds"], "cookies": cookies})
    r["server_rss_kb"] = rss_kb(server.proc.pid)
    return r


# The conference day (bench/confday.js): sizes and the service levels a run must meet.
CONFDAY = {"confday_n": 500, "ramp": 60, "duration": 180, "booths": 40, "sessions": 8}
CONFDAY_SLO = {"delivery_p99_ms": 250, "http_p99_ms": 500}
FIND_MAX_STEPS = "500,1000,2000,3000,5000,7500,10000"


class Sampler(threading.Thread):
    """CPU and RSS of the server processes once a second while a scenario runs; the CPU of
    the steady state counts from the generator's ``ready`` (end of the ramp)."""

    def __init__(self, servers: list[Server]):
        super().__init__(daemon=True)
        self.servers, self.stopping = servers, threading.Event()
        self.start_cpu = {s.name: cpu_seconds(s.proc.pid) for s in servers}
        self.started = time.monotonic()
        self.ready_cpu: dict[str, float] = {}
        self.ready_at: float | None = None
        self.rss_max = {s.name: 0 for s in servers}
        self.cpu_max_share = {s.name: 0.0 for s in servers}

    def run(self) -> None:
        last = dict(self.start_cpu)
        while not self.stopping.wait(1.0):
            for s in self.servers:
                c = cpu_seconds(s.proc.pid)
                self.cpu_max_share[s.name] = max(self.cpu_max_share[s.name], c - last[s.name])
                last[s.name] = c
                self.rss_max[s.name] = max(self.rss_max[s.name], rss_kb(s.proc.pid))

    def mark_ready(self, _event: dict) -> dict:
        self.ready_at = time.monotonic()
        self.ready_cpu = {s.name: cpu_seconds(s.proc.pid) for s in self.servers}
        return {}

    def finish(self) -> dict:
        self.stopping.set()
        self.join()
        end = time.monotonic()
        figures = {}
        for s in self.servers:
            c = cpu_seconds(s.proc.pid)
            f = {"cpu_share_whole_run": round((c - self.start_cpu[s.name]) / (end - self.started), 2),
                 "cpu_share_max_1s": round(self.cpu_max_share[s.name], 2),
                 "rss_max_mb": round(self.rss_max[s.name] / 1024, 1)}
            if self.ready_at:
                f["cpu_share_steady"] = round((c - self.ready_cpu[s.name]) / (end - self.ready_at), 2)
            figures[s.name] = f
        return figures


def confday_verdict(r: dict) -> dict:
    """Which service levels a conference-day run met, and whether the run counts at all
    (a generator using more than 90 % of its core measures itself, not the server)."""
    failed = []
    if r.get("event") == "error" or "n" not in r:
        return {"met": False, "valid": False, "failed": ["the load generator failed"]}
    if (r.get("delivery_p99_ms") or 0) > CONFDAY_SLO["delivery_p99_ms"]:
        failed.append(f"chat delivery p99 {r['delivery_p99_ms']} ms > {CONFDAY_SLO['delivery_p99_ms']}")
    for kind, h in r.get("http", {}).items():
        if (h.get("p99_ms") or 0) > CONFDAY_SLO["http_p99_ms"]:
            failed.append(f"HTTP {kind} p99 {h['p99_ms']} ms > {CONFDAY_SLO['http_p99_ms']}")
    if r.get("error_count"):
        failed.append(f"{r['error_count']} errors {r['errors']}")
    if r.get("lost"):
        failed.append(f"{r['lost']} of {r['expected']} deliveries lost {r.get('lost_by_room_kind')}")
    if r.get("joined_in_time", 0) < r["n"]:
        failed.append(f"only {r['joined_in_time']} of {r['n']} attendees in by the end of the ramp")
    valid = (r.get("loadgen_cpu_share") or 0) <= 0.9
    if not valid:
        failed.append(f"load generator saturated its core ({r['loadgen_cpu_share']}): run invalid")
    return {"met": not failed, "valid": valid, "failed": failed}


def prepare_confday(database_url: str, n: int, size: dict) -> Path:
    accounts = RESULTS / "confday-accounts.json"
    subprocess.run([PY, str(BENCH / "prepare_platform.py"), "--database-url", database_url, "--secret-key", SECRET,
                    "--users", str(n), "--booths", str(size["booths"]), "--sessions", str(size["sessions"]),
                    "--staff-every", "20", "--out", str(RESULTS / "cookies.json"), "--accounts-out", str(accounts)],
                   cwd=str(ROOT), check=True, stdout=subprocess.DEVNULL)
    return accounts


def scenario_confday(target: str, n: int, size: dict, profile_it: bool = False) -> dict:
    """One conference day of ``n`` attendees on ``target``: sqlite or postgresql (one process
    on core 1) or redis2 (two processes on PostgreSQL + Redis, cores 1 and 0: the generator
    shares core 0 with the second process)."""
    database = database_for("postgresql" if target == "redis2" else target)
    accounts = prepare_confday(database, n, size)
    live = {"CHAT_RATE_LIMIT": "10/10"}  # the platform's own flood limit: a conference day is not a flood
    if target == "redis2":
        import redis
        redis.Redis.from_url(REDIS_URL).flushdb()
        servers = [start_platform(database, REDIS_URL, name="redis-a", core="1", extra_env=live),
                   start_platform(database, REDIS_URL, name="redis-b", core="0", extra_env=live)]
    else:
        servers = [start_platform(database, name=target, extra_env=live)]
    profilers = [profile(s, f"{ASYNC_MODE[0]}-{target}-confday-{n}-{s.name}") for s in servers] if profile_it else []
    sampler = Sampler(servers)
    sampler.start()
    try:
        r = loadgen({"scenario": "confday", "urls": [s.url for s in servers], "accountsFile": str(accounts), "n": n,
                     "ramp": size["ramp"], "duration": size["duration"]}, sampler.mark_ready, script="confday.js")
        r["servers"] = sampler.finish()
    finally:
        for p in profilers:
            p.send_signal(signal.SIGINT)
            p.wait()
        for s in servers:
            s.stop()
    r["slo"] = confday_verdict(r)
    return r


def confday_find_max(target: str, steps: list[int], size: dict, record, profile_it: bool = False) -> dict:
    """Step N up until a run misses a service level: the largest N that met them all."""
    best, runs = None, {}
    for n in steps:
        r = scenario_confday(target, n, size, profile_it)
        runs[n] = r
        record(target, f"confday_{n}", r)
        if not r["slo"]["met"]:
            return {"max_n": best, "first_failing_n": n, "failed": r["slo"]["failed"]}
        best = n
    return {"max_n": best, "first_failing_n": None, "failed": []}


def profile(server: Server, label: str) -> subprocess.Popen:
    """py-spy sampling the server while a scenario runs: collapsed stacks (one line per
    stack with its sample count) in bench/results/profile-<label>.txt; summarise with
    bench/profile_summary.py."""
    out = RESULTS / f"profile-{label}.txt"
    spy = shutil.which("py-spy") or str(Path(PY).with_name("py-spy"))
    log = (RESULTS / f"profile-{label}.log").open("w")
    return subprocess.Popen([spy, "record", "-p", str(server.proc.pid), "-f", "raw", "-r", "200",
                             "-o", str(out)], stdout=subprocess.DEVNULL, stderr=log)


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), "?")
    mem = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), "0")
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    return {"date": datetime.now(UTC).isoformat(timespec="seconds"), "nproc": os.cpu_count(),
            "cpu": cpu, "memory_gib": round(int(mem) / 1024 / 1024, 1), "python": pyplatform.python_version(),
            "node": node, "kernel": pyplatform.release()}


def database_for(target: str) -> str:
    if target == "sqlite":
        path = RESULTS / "bench.db"
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return f"sqlite:///{path}"
    import psycopg2
    name = PG_URL.rsplit("/", 1)[1]
    admin = psycopg2.connect(PG_URL.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if cur.fetchone() is None:
            cur.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    return PG_URL


def run(args) -> dict:
    size = dict(QUICK if args.quick else FULL)
    for key in size:
        if getattr(args, key, None):
            size[key] = getattr(args, key)
    only = set(args.only.split(",")) if args.only else {"connections", "fanout", "acked", "redis", "settings"}
    report_mode = ASYNC_MODE[0]
    targets = args.targets.split(",")
    report: dict = {"machine": machine(), "async_mode": report_mode, "size": size, "results": {}}
    users = max(size["n"], size["receivers"] + 1, size["senders"]) + 10
    print(json.dumps(report["machine"]), flush=True)

    def record(target: str, scenario: str, result: dict) -> None:
        report["results"].setdefault(target, {})[scenario] = result
        print(f"{report_mode:>8} {target:>10} {scenario:<12} {json.dumps(result)}", flush=True)
        with (RESULTS / "partial.jsonl").open("a") as partial:  # survives a run stopped half-way
            partial.write(json.dumps({"mode": report_mode, "target": target, "scenario": scenario,
                                      "result": result}) + "\n")

    for target in targets if only & {"connections", "fanout", "acked"} else []:
        cookies = []
        floorlike = target.startswith("floor") or target == "node"
        if not floorlike:
            database = database_for(target)
            cookies = prepare(database, users, size["rooms"])
        if target == "floor-gc":  # the floor with the platform's garbage-collector setting
            start = lambda: start_floor(["--gc-threshold", "10000,10,10"])  # noqa: E731
        elif target == "node":
            start = start_rival
        else:
            start = start_floor if target == "floor" else functools.partial(start_platform, database)
        room = "bench" if floorlike else "booth:bench-0"
        prefix = "bench-" if floorlike else "booth:bench-"
        for scenario in ("connections", "fanout", "acked"):
            if scenario not in only or (scenario == "connections" and target == "postgresql" and not args.all_pg):
                continue
            server = start()
            profiler = profile(server, f"{target}-{scenario}") if args.profile and not floorlike else None
            try:
                if scenario == "connections":
                    record(target, scenario, scenario_connections(server, size["n"], cookies))
                elif scenario == "fanout":
                    record(target, scenario, scenario_fanout([server], server, room, size, cookies))
                else:
                    record(target, scenario, scenario_acked(server, size, prefix, cookies))
            finally:
                if profiler:
                    profiler.send_signal(signal.SIGINT)
                    profiler.wait()
                server.stop()

    if "redis" in only:
        database = database_for("postgresql")
        cookies = prepare(database, users, size["rooms"])
        import redis
        redis.Redis.from_url(REDIS_URL).flushdb()
        one = start_platform(database, name="pg-single")
        try:
            record("postgresql", "fanout_1proc", scenario_fanout([one], one, "booth:bench-0", size, cookies))
        finally:
            one.stop()
        a = start_platform(database, REDIS_URL, name="redis-a")
        b = start_platform(database, REDIS_URL, name="redis-b")
        try:
            record("redis2", "fanout", scenario_fanout([a, b], a, "booth:bench-0", size, cookies))
        finally:
            a.stop()
            b.stop()

    if "confday" in only:
        csize = dict(CONFDAY)
        for key in CONFDAY:
            if getattr(args, key, None):
                csize[key] = getattr(args, key)
        report["confday_size"] = csize
        for target in args.confday_targets.split(","):
            if args.find_max:
                steps = [int(x) for x in args.find_max_steps.split(",")]
                record(target, "confday_max", confday_find_max(target, steps, csize, record, args.profile))
            else:
                record(target, "confday", scenario_confday(target, csize["confday_n"], csize, args.profile))

    if "settings" in only:
        small = {"receivers": min(size["receivers"], 500), "rate": size["rate"], "seconds": size["seconds"]}
        acked_small = {"senders": 1, "rooms": 1, "seconds": 3}
        labels = (("tuned", [], True), ("nodelay_off", ["--nodelay", "0"], True),
                  ("deflate_on", ["--deflate", "1"], True), ("defaults", ["--defaults"], True))
        for label, flags, deflate in labels:
            if args.settings and label not in args.settings.split(","):
                continue
            results = {}
            server = start_floor(flags)
            try:
                results["acked_1_sender"] = scenario_acked(server, acked_small, "s-", [])
            finally:
                server.stop()
            if label == "defaults":  # beyond 1,024 connections clients hang: only the cap is measured
                server = start_floor(flags)
                try:
                    results["connections_1100"] = loadgen({"scenario": "connections", "url": server.url, "n": 1100,
                                                           "hold": 1, "concurrency": 200, "connectTimeout": 10000})
                finally:
                    server.stop()
                record("floor", f"settings_{label}", results)
                continue
            server = start_floor(flags)
            try:
                results["connections_2000"] = scenario_connections(server, 2000, [], deflate=deflate)
            finally:
                server.stop()
            server = start_floor(flags)
            try:
                results["fanout"] = scenario_fanout([server], server, "bench", small, [], deflate=deflate)
            finally:
                server.stop()
            if label == "tuned":
                server = start_floor(flags)
                try:
                    results["connections_1100"] = loadgen({"scenario": "connections", "url": server.url,
                                                           "n": 1100, "hold": 1, "concurrency": 200})
                finally:
                    server.stop()
            record("floor", f"settings_{label}", results)
    return report


def ratios(report: dict) -> list[str]:
    res = report["results"]
    floor = res.get("floor", {})
    lines = []

    def get(target, scenario, key):
        return res.get(target, {}).get(scenario, {}).get(key)

    for target in ("sqlite", "postgresql"):
        fc, pc = get("floor", "connections", "kb_per_connection"), get(target, "connections", "kb_per_connection")
        if fc and pc:
            lines.append(f"{target}: memory per connection {pc} KB vs floor {fc} KB = {pc / fc:.2f}x (target <= 1.5x)")
        f99, p99 = get("floor", "fanout", "p99_ms"), get(target, "fanout", "p99_ms")
        if f99 and p99:
            d, e = get(target, "fanout", "delivered"), get(target, "fanout", "expected")
            lines.append(f"{target}: fan-out p99 {p99:.1f} ms vs floor {f99:.1f} ms = {p99 / f99:.2f}x "
                         f"(target <= 1.5x), delivered {d}/{e}")
        fa, pa = get("floor", "acked", "acks_per_second"), get(target, "acked", "acks_per_second")
        if fa and pa:
            lines.append(f"{target}: acked {pa:.0f}/s vs floor {fa:.0f}/s = {pa / fa:.2f}x (target >= 0.5x)")
        g99, ga = get("floor-gc", "fanout", "p99_ms"), get("floor-gc", "acked", "acks_per_second")
        if g99 and p99:
            lines.append(f"{target}: fan-out p99 vs floor-gc (same GC setting) {g99:.1f} ms = {p99 / g99:.2f}x")
        if ga and pa:
            lines.append(f"{target}: acked vs floor-gc (same GC setting) {ga:.0f}/s = {pa / ga:.2f}x")
        nc, n99, na = (get("node", "connections", "kb_per_connection"), get("node", "fanout", "p99_ms"),
                       get("node", "acked", "acks_per_second"))
        if nc and pc:
            lines.append(f"{target}: memory per connection vs the Node rival {nc} KB = {pc / nc:.2f}x")
        if n99 and p99:
            lines.append(f"{target}: fan-out p99 vs the Node rival {n99:.1f} ms = {p99 / n99:.2f}x")
        if na and pa:
            lines.append(f"{target}: acked vs the Node rival {na:.0f}/s = {pa / na:.2f}x")
    one, two = get("postgresql", "fanout_1proc", "p99_ms"), get("redis2", "fanout", "p99_ms")
    if one and two:
        r = res["redis2"]["fanout"]
        lines.append(f"redis, 2 processes: p99 {two:.1f} ms vs 1 process {one:.1f} ms (+{two - one:.1f} ms), "
                     f"delivered {r['delivered']}/{r['expected']}, out of order {r['out_of_order']}")
    _ = floor
    return lines


MODE_KEYS = ("kb_per_connection", "p50_ms", "p99_ms", "acks_per_second", "delivery_p50_ms", "delivery_p99_ms",
             "steady_delivery_p99_ms", "steady_http_p99_ms",
             "http_all_p99_ms", "max_n")


def mode_ratios(modes: dict) -> list[str]:
    """The same target and scenario under each async mode: the second mode's figure over the first's."""
    names = list(modes)
    lines: list[str] = []
    if len(names) < 2:
        return lines
    first = modes[names[0]]["results"]
    for other in names[1:]:
        res = modes[other]["results"]
        for target, scenarios in first.items():
            if target.startswith("floor") or target == "node":  # not the platform: the same server in each mode
                continue
            for scenario, a in scenarios.items():
                b = res.get(target, {}).get(scenario)
                if not isinstance(a, dict) or not isinstance(b, dict):
                    continue
                for key in MODE_KEYS:
                    x, y = a.get(key), b.get(key)
                    if isinstance(x, int | float) and isinstance(y, int | float) and x:
                        lines.append(f"{target} {scenario} {key}: {other} {y:g} / {names[0]} {x:g} = {y / x:.2f}x")
                cpu_a, cpu_b = a.get("servers"), b.get("servers")
                if cpu_a and cpu_b:
                    for name, fa in cpu_a.items():
                        fb = cpu_b.get(name, {})
                        if fa.get("cpu_share_steady") and fb.get("cpu_share_steady"):
                            lines.append(f"{target} {scenario} server {name} CPU share (steady): {other} "
                                         f"{fb['cpu_share_steady']} / {names[0]} {fa['cpu_share_steady']} = "
                                         f"{fb['cpu_share_steady'] / fa['cpu_share_steady']:.2f}x")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", help="comma list of connections,fanout,acked,redis,settings")
    parser.add_argument("--targets", default="floor,floor-gc,sqlite,postgresql",
                        help="floor, floor-gc (the floor with the platform's GC setting), node (the Node "
                             "socket.io rival, bench/rival_server.js), sqlite, postgresql")
    parser.add_argument("--all-pg", action="store_true", help="also the connections scenario on PostgreSQL")
    parser.add_argument("--profile", action="store_true", help="py-spy the platform during each scenario")
    parser.add_argument("--settings", help="comma list of tuned,nodelay_off,deflate_on,defaults")
    parser.add_argument("--async-modes", default="eventlet",
                        help="comma list of eventlet,gevent: every scenario runs under each (the platform's "
                             "SOCKETIO_ASYNC_MODE; the floor is always eventlet), with the ratios between them")
    parser.add_argument("--confday-targets", default="sqlite,postgresql,redis2",
                        help="the conference day (--only confday) on: sqlite, postgresql (one process, core 1), "
                             "redis2 (two processes on PostgreSQL + Redis, cores 1 and 0)")
    parser.add_argument("--find-max", action="store_true",
                        help="conference day: step N (--find-max-steps) up to the first that misses a service level")
    parser.add_argument("--find-max-steps", default=FIND_MAX_STEPS)
    for key in FULL:
        parser.add_argument(f"--{key}", type=int)
    for key in CONFDAY:
        unit = " s" if key in ("ramp", "duration") else ""
        parser.add_argument(f"--{key.replace('_', '-')}", dest=key, type=int,
                            help=f"conference day (default {CONFDAY[key]}{unit})")
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    report: dict = {"modes": {}}
    for mode in args.async_modes.split(","):
        ASYNC_MODE[0] = mode
        print(f"== async mode {mode}", flush=True)
        part = run(args)
        part["ratios"] = ratios(part)
        print("\n".join(["", f"== ratios to the floor ({mode})"] + part["ratios"]), flush=True)
        report["modes"][mode] = part
    report["mode_ratios"] = mode_ratios(report["modes"])
    if report["mode_ratios"]:
        print("\n".join(["", "== async modes"] + report["mode_ratios"]), flush=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"run-{stamp}.json"
    path.write_text(json.dumps(report, indent=2))
    print(f"written: {path}")


if __name__ == "__main__":
    main()
