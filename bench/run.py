"""Throughput of the site's pages against nginx serving the same HTML as static files.

Starts the site with 2 uvicorn workers, in production mode, on a fresh SQLite database with the
demo data, saves each page's HTML, serves those files with nginx, then loads both with wrk in the
same run and prints requests per second, p99 latency and the ratio app/nginx. Needs Debian's
nginx and wrk.

    python bench/run.py [--duration 10] [--connections 32] [--pages home,fiche]
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent

# name -> path of the page on the site; each part of the site adds its pages here.
PAGES = {
    "home": "/",
    "fiche": "/fiches/etudiant-cpas",
    "question": "/ai-je-droit/question/age",
}
PDF_PATH = "/fiches/piis-contrat-integration.pdf"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - a local URL we built
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} ne répond pas")


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - local URL
        return bytes(response.read())


def timed_get(url: str) -> float:
    started = time.perf_counter()
    fetch(url)
    return time.perf_counter() - started


def start_site(tmp: Path, port: int, extra_env: dict[str, str]) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "APP_DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
        "APP_VAR_DIR": str(tmp / "var"),
        "APP_LOG_LEVEL": "warning",
        **extra_env,
    }
    python = sys.executable
    subprocess.run([python, "-m", "app", "db", "upgrade"], env=env, check=True, cwd=PROJECT)
    subprocess.run(
        [python, "-m", "app", "seed-demo"], env=env, check=True, cwd=PROJECT, capture_output=True
    )
    # Served as in production (templates and fiches read once); the demo data is loaded before,
    # since seed-demo refuses to run in production.
    production = {**env, "APP_ENV": "production", "APP_SECRET_KEY": secrets.token_urlsafe(48)}
    return subprocess.Popen(
        [python, "-m", "app", "serve", "--port", str(port), "--workers", "2"],
        env=production,
        cwd=PROJECT,
        start_new_session=True,
    )


def start_nginx(root: Path, port: int, tmp: Path) -> subprocess.Popen[bytes]:
    conf = tmp / "nginx.conf"
    conf.write_text(
        f"""
worker_processes 2;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  default_type text/html;
  client_body_temp_path {tmp}/body;
  proxy_temp_path {tmp}/proxy;
  fastcgi_temp_path {tmp}/fastcgi;
  uwsgi_temp_path {tmp}/uwsgi;
  scgi_temp_path {tmp}/scgi;
  server {{
    listen 127.0.0.1:{port};
    root {root};
    location / {{ try_files $uri.html =404; }}
    location = / {{ try_files /home.html =404; }}
  }}
}}
""",
        encoding="utf-8",
    )
    return subprocess.Popen(["nginx", "-c", str(conf), "-g", "daemon off;"], start_new_session=True)


WRK_RPS = re.compile(r"Requests/sec:\s+([\d.]+)")
WRK_P99 = re.compile(r"99%\s+([\d.]+)(us|ms|s)")
WRK_ERRORS = re.compile(r"Non-2xx or 3xx responses: (\d+)")


def wrk(
    url: str, duration: int, connections: int, script: Path | None = None
) -> tuple[float, float, int]:
    """(requests per second, p99 latency in ms, non-2xx responses) for one URL (or for the
    paths a wrk Lua ``script`` requests on that server)."""
    extra = ["-s", str(script)] if script else []
    output = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", *extra, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps_match, p99_match = WRK_RPS.search(output), WRK_P99.search(output)
    if not rps_match or not p99_match:
        raise RuntimeError(f"sortie de wrk illisible :\n{output}")
    value, unit = float(p99_match.group(1)), p99_match.group(2)
    p99_ms = value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    errors = WRK_ERRORS.search(output)
    return float(rps_match.group(1)), p99_ms, int(errors.group(1)) if errors else 0


def stop(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--pages", default=",".join(PAGES))
    args = parser.parse_args()
    for tool in ("nginx", "wrk"):
        if not shutil.which(tool):
            sys.exit(f"{tool} est absent : apt-get install nginx-light wrk")

    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        tmp.chmod(0o755)  # nginx's workers run as another user and must read the pages
        site_port, nginx_port = free_port(), free_port()
        site = start_site(tmp, site_port, {})
        nginx = None
        try:
            base = f"http://127.0.0.1:{site_port}"
            wait_for(base + "/healthz")
            static = tmp / "static"
            static.mkdir()
            pages = {page: PAGES[page] for page in args.pages.split(",")}
            for page, path in pages.items():
                (static / f"{page}.html").write_bytes(fetch(base + path))
            first, again = timed_get(base + PDF_PATH), timed_get(base + PDF_PATH)
            print(
                f"PDF {PDF_PATH} : première demande {first:.2f} s, suivante {again * 1000:.0f} ms"
            )
            nginx = start_nginx(static, nginx_port, tmp)
            wait_for(f"http://127.0.0.1:{nginx_port}/{next(iter(pages))}")
            print(
                f"{'page':<10} {'app req/s':>10} {'app p99':>10} {'nginx req/s':>12} "
                f"{'nginx p99':>10} {'ratio':>7}"
            )
            for page, path in pages.items():
                app_rps, app_p99, app_errors = wrk(base + path, args.duration, args.connections)
                ngx_rps, ngx_p99, _ = wrk(
                    f"http://127.0.0.1:{nginx_port}/{page}", args.duration, args.connections
                )
                note = f"  ({app_errors} réponses non 2xx)" if app_errors else ""
                print(
                    f"{page:<10} {app_rps:>10.0f} {app_p99:>8.1f}ms {ngx_rps:>12.0f} "
                    f"{ngx_p99:>8.1f}ms {app_rps / ngx_rps:>7.3f}{note}"
                )
        finally:
            stop(site)
            if nginx:
                stop(nginx)


if __name__ == "__main__":
    main()
