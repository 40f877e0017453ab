"""50 concurrent clients post 2 000 questions through the real form; every success is stored once.

One question in five is a double-click: the same form is sent twice at the same moment. Both
sendings must land on the success page, and the question must be stored once.

Starts the site with 2 uvicorn workers (rate limits raised, no minimum fill time), on a fresh
SQLite database or, with ``--database-url``, in a fresh schema of a PostgreSQL database. Each
client keeps its cookies, fetches the form (CSRF token), posts, and notes the answer. Then the
database is read back: each question that got the success page must be there exactly once,
and none may have answered 5xx.

    python bench/post_questions.py [--clients 50] [--questions 2000]
    python bench/post_questions.py --database-url postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from app.db import normalise_url  # noqa: E402
from bench.schemas import fresh_schema  # noqa: E402

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
STARTED = re.compile(r'name="debut" value="([^"]+)"')


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_site(tmp: Path, port: int, database_url: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "APP_DATABASE_URL": database_url,
        "APP_VAR_DIR": str(tmp / "var"),
        "APP_LOG_LEVEL": "warning",
        "APP_POSTING_LIMIT_PER_HOUR": "1000000",
        "APP_MIN_FILL_SECONDS": "0",
        "APP_BASE_URL": f"http://127.0.0.1:{port}",
    }
    python = sys.executable
    subprocess.run([python, "-m", "app", "db", "upgrade"], env=env, check=True, cwd=PROJECT)
    return subprocess.Popen(
        [python, "-m", "app", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        cwd=PROJECT,
        start_new_session=True,
    )


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} ne répond pas")


DOUBLE_CLICK_EVERY = 5


def post(client: httpx.Client, data: dict[str, str]) -> int:
    """Send the form; the status, or -200 for a 200 that is not the success page."""
    try:
        response = client.post("/questions/poser", data=data)
    except httpx.HTTPError:
        return -1
    if response.status_code == 200 and "Ta question est bien arrivée" not in response.text:
        return -200
    return response.status_code


def client_run(
    base: str, number: int, count: int, results: list[tuple[str, int]], lock: threading.Lock
) -> None:
    """One visitor: its own cookies and address counters, ``count`` questions in a row."""
    with httpx.Client(base_url=base, timeout=60, follow_redirects=True) as client:
        for index in range(count):
            double_click = index % DOUBLE_CLICK_EVERY == 0
            marker = f"charge-{number:02d}-{index:04d}-{uuid.uuid4().hex[:8]}"
            try:
                form = client.get("/questions/poser")
                data = {
                    "csrf_token": TOKEN.search(form.text).group(1),  # type: ignore[union-attr]
                    "debut": STARTED.search(form.text).group(1),  # type: ignore[union-attr]
                    "pseudo": f"Charge{number}",
                    "email": f"charge{number}@example.be",
                    "question": f"Question de test de charge {marker} : ai-je droit au RIS ?",
                    "consentement": "oui",
                }
            except (httpx.HTTPError, AttributeError):
                with lock:
                    results.append((marker, -1))
                continue
            if double_click:
                with ThreadPoolExecutor(max_workers=2) as both:
                    statuses = list(both.map(post, [client, client], [data, data]))
            else:
                statuses = [post(client, data)]
            with lock:
                results.extend((marker, status) for status in statuses)


def stored_markers(database_url: str) -> Counter[str]:
    engine = create_engine(normalise_url(database_url))
    with engine.connect() as connection:
        bodies = connection.execute(
            text("SELECT body FROM question_message WHERE parent_id IS NULL")
        ).scalars()
        found = Counter(m.group() for b in bodies if (m := re.search(r"charge-[\w-]+", b)))
    engine.dispose()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--questions", type=int, default=2000)
    parser.add_argument("--database-url", default=None, help="PostgreSQL (sinon SQLite)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as name, ExitStack() as cleanup:
        tmp = Path(name)
        postgres = args.database_url
        if postgres:
            database_url = cleanup.enter_context(fresh_schema(postgres))
        else:
            database_url = f"sqlite:///{tmp / 'bench.sqlite3'}"
        port = free_port()
        site = start_site(tmp, port, database_url)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for(base + "/healthz")
            results: list[tuple[str, int]] = []
            lock = threading.Lock()
            per_client = [args.questions // args.clients] * args.clients
            for extra in range(args.questions - sum(per_client)):
                per_client[extra] += 1
            threads = [
                threading.Thread(target=client_run, args=(base, n, c, results, lock))
                for n, c in enumerate(per_client)
            ]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
            time.sleep(1)  # let the last background e-mails finish
        finally:
            os.killpg(site.pid, signal.SIGTERM)
            site.wait(timeout=30)
        statuses = Counter(status for _, status in results)
        succeeded = {marker for marker, status in results if status == 200}
        by_marker = Counter(marker for marker, _ in results)
        double_clicks = sum(1 for n in by_marker.values() if n == 2)
        stored = stored_markers(database_url)
        missing = [m for m in succeeded if stored[m] == 0]
        doubled = [m for m, n in stored.items() if n > 1]
        unexpected = [m for m in stored if m not in succeeded]
        outbox = len(list((tmp / "var" / "outbox").glob("*.eml")))
        engine_name = "PostgreSQL" if postgres else "SQLite"
        print(
            f"{engine_name} : {len(results)} envois par {args.clients} clients en {elapsed:.1f} s, "
            f"dont {double_clicks} doubles clics"
        )
        print(f"  réponses : {dict(sorted(statuses.items()))}")
        print(f"  pages de succès : {len(succeeded)} ; questions en base : {sum(stored.values())}")
        print(
            f"  manquantes : {len(missing)} ; en double : {len(doubled)} ; "
            f"en trop : {len(unexpected)}"
        )
        print(f"  e-mails écrits : {outbox}")
        five_hundreds = sum(n for s, n in statuses.items() if s >= 500)
        ok = not missing and not doubled and not unexpected and five_hundreds == 0
        print("  résultat : OK" if ok else "  résultat : ÉCHEC")
        sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
