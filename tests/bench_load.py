"""The bench's load section: gunicorn (2 sync workers) on the bench database, wrk at 50
connections, our pages against a bare Flask + SQLAlchemy + Jinja route on the same data,
alternating bare, ours, bare, ours… (shared/PERFORMANCE.md). Loopback addresses only.
Used by tests/bench.py; not collected by pytest."""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
CONNECTIONS = 50
SECRET = "bench-secret-not-for-production"

BARE_APP = '''
"""A bare route: one indexed query for 50 defects, a Jinja table (the reference for our pages)."""
import os
import sqlalchemy as sa
from flask import Flask, render_template_string

engine = sa.create_engine(os.environ["BARE_DATABASE_URL"], pool_size=5)
app = Flask(__name__)
PAGE = """<!doctype html><html><body><h1>Defects</h1><table>
{% for r in rows %}<tr><td>{{ r.id[:8] }}</td><td>{{ r.building }}</td><td>{{ r.entrance }}-{{ r.room_no }}</td>
<td>{{ r.room }}</td><td>{{ r.category }}</td><td>{{ r.description }}</td><td>{{ r.status }}</td>
<td>{{ r.contractor or "" }}</td><td>{{ r.due_date or "" }}</td></tr>{% endfor %}</table></body></html>"""
SQL = sa.text(
    "SELECT d.id, b.name AS building, u.entrance, u.room_no, d.room, d.category, d.description, d.status, "
    "c.name AS contractor, d.due_date FROM defects d JOIN units u ON u.id = d.unit_id "
    "JOIN buildings b ON b.id = u.building_id LEFT JOIN contractors c ON c.id = d.contractor_id "
    "WHERE d.batch_id = :batch AND d.status = :status ORDER BY d.created_at DESC, d.id LIMIT 50")


@app.get("/bare/<int:batch_id>")
def bare(batch_id):
    with engine.connect() as conn:
        rows = conn.execute(SQL, {"batch": batch_id, "status": "assigned"}).mappings().all()
    return render_template_string(PAGE, rows=rows)
'''

LUA = '''
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests": %d, "duration_us": %d, "p50": %d, "p95": %d, "p99": %d, '
    .. '"errors": %d, "non2xx": %d}\\n', summary.requests, summary.duration, latency:percentile(50),
    latency:percentile(95), latency:percentile(99), e.connect + e.read + e.write + e.timeout, e.status))
end
'''


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _wait(url: str, headers: dict, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as response:
                if response.status == 200:
                    return
        except Exception:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.3)


class Server:
    """gunicorn with 2 sync workers on a loopback port, stopped (by its own pid) on exit."""

    def __init__(self, app_spec: str, env: dict, cwd: Path):
        self.port = _free_port()
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "-w", "2", "-k", "sync", "-b", f"{HOST}:{self.port}",
             "--timeout", "60", "--log-level", "warning", app_spec],
            cwd=cwd, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def url(self, path: str) -> str:
        return f"http://{HOST}:{self.port}{path}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def wrk(url: str, headers: dict, seconds: int, lua: Path) -> dict:
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s", "-s", str(lua)]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    done = subprocess.run(command + [url], capture_output=True, text=True, timeout=seconds + 60)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("WRKJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no summary: {done.stdout}\n{done.stderr}")
    raw = json.loads(line[len("WRKJSON "):])
    return {"rps": raw["requests"] / (raw["duration_us"] / 1e6), "p50": raw["p50"] / 1000,
            "p95": raw["p95"] / 1000, "p99": raw["p99"] / 1000, "errors": raw["errors"] + raw["non2xx"]}


def _credentials(app, admin_id: int) -> tuple[str, str]:
    """A session cookie and an API token for the bench administrator, issued by the real services."""
    from handover.accounts import service as accounts
    from handover.accounts.models import User
    from handover.extensions import db

    with app.app_context():
        user = db.session.get(User, admin_id)
        session_id = accounts.start_login_session(user)
        token, _row = accounts.issue_api_token(user)
        db.session.commit()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = session_id
        session["_fresh"] = True
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    return f"{cookie.key}={cookie.value}", token


def run_load(label: str, url: str, app, ids: dict, *, pairs: int, seconds: int) -> list[tuple]:
    """Each target against the bare route, `pairs` alternating pairs of `seconds`-long wrk runs."""
    if shutil.which("wrk") is None:
        print(f"[{label}] wrk is not installed: load section skipped (make bench installs it)")
        return []
    app.config["SECRET_KEY"] = SECRET
    cookie, token = _credentials(app, ids["admin"])
    work = Path(tempfile.mkdtemp(prefix="handover-bench-load-"))
    (work / "bare_app.py").write_text(BARE_APP)
    lua = work / "summary.lua"
    lua.write_text(LUA)
    batch = ids["batch"]
    env = {"DATABASE_URL": url, "SECRET_KEY": SECRET, "HANDOVER_ENV": "development",
           "UPLOAD_FOLDER": str(work / "uploads"), "BARE_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    ours = Server("run:app", env, ROOT)
    bare = Server("bare_app:app", env, work)
    page = {"Cookie": cookie}
    api = {"Authorization": f"Bearer {token}"}
    targets = [
        ("defect list page, status filter", f"/batches/{batch}/defects?status=assigned", page),
        ("defect dashboard", f"/batches/{batch}/defects/dashboard", page),
        ("API list ?batch_id=&status=", f"/api/v1/defects?batch_id={batch}&status=assigned", api),
        ("unit list page", f"/batches/{batch}/units", page),
    ]
    results = []
    try:
        _wait(bare.url(f"/bare/{batch}"), {})
        for _name, path, headers in targets:
            _wait(ours.url(path), headers)
        for name, path, headers in targets:
            runs = []
            for _pair in range(pairs):
                runs.append((wrk(bare.url(f"/bare/{batch}"), {}, seconds, lua), wrk(ours.url(path), headers, seconds, lua)))
            results.append((label, name, summarise(runs)))
    finally:
        ours.stop()
        bare.stop()
        shutil.rmtree(work, ignore_errors=True)
    return results


def summarise(runs: list[tuple[dict, dict]]) -> dict:
    ratios = [o["rps"] / b["rps"] if b["rps"] else 0.0 for b, o in runs]
    p95_ratios = [o["p95"] / b["p95"] if b["p95"] else 0.0 for b, o in runs]

    def med(side: int, key: str) -> float:
        return statistics.median(run[side][key] for run in runs)

    return {"pairs": len(runs), "ratio": statistics.median(ratios), "range": (min(ratios), max(ratios)),
            "p95_ratio": statistics.median(p95_ratios), "p95_range": (min(p95_ratios), max(p95_ratios)),
            "bare": {k: med(0, k) for k in ("rps", "p50", "p95", "p99")},
            "ours": {k: med(1, k) for k in ("rps", "p50", "p95", "p99")},
            "errors": (sum(b["errors"] for b, _o in runs), sum(o["errors"] for _b, o in runs))}


def report(results: list[tuple], seconds: int) -> None:
    if not results:
        return
    print()
    print(f"Load: gunicorn -w 2 (sync), wrk -c{CONNECTIONS} for {seconds} s a run, bare and ours alternating; "
          "medians; ratio = ours/bare throughput (median of the pairs, [range])")
    print(f"{'database':<11} {'work':<34} {'ours rps':>9} {'p50/p95/p99 ms':>18} {'bare rps':>9} "
          f"{'p50/p95/p99 ms':>18} {'errors':>9} {'rps ratio [range]':>22} {'p95 ratio [range]':>22} pairs")
    for label, work, r in results:
        o, b = r["ours"], r["bare"]
        print(f"{label:<11} {work:<34} {o['rps']:>9.1f} {o['p50']:>6.0f}/{o['p95']:>4.0f}/{o['p99']:>5.0f} "
              f"{b['rps']:>9.1f} {b['p50']:>6.0f}/{b['p95']:>4.0f}/{b['p99']:>5.0f} "
              f"{r['errors'][1]:>4}/{r['errors'][0]:<4} "
              f"{r['ratio']:>6.2f}× [{r['range'][0]:.2f}–{r['range'][1]:.2f}] "
              f"{r['p95_ratio']:>6.2f}× [{r['p95_range'][0]:.2f}–{r['p95_range'][1]:.2f}] {r['pairs']:>4}")
    print("(errors: ours/bare, socket errors, timeouts and non-2xx answers summed over the pairs)")
