"""gunicorn, as `make serve` runs it, writes no query string to its access log."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from sinergi.test import valid_nik


def test_a_nik_searched_for_stays_out_of_the_access_log(tmp_path: Path) -> None:
    nik = valid_nik()
    env = {
        **os.environ,
        "SINERGI_DEMO": "1",
        "SECURE_HTTPS": "0",
        "SINERGI_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [str(gunicorn), "-c", "python:sinergi.gunicorn_conf", "sinergi.wsgi"]
    command += ["--bind", "127.0.0.1:0", "--workers", "1", "--access-logfile", "-"]
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        command,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert server.stdout is not None
        port = ""
        deadline = time.monotonic() + 30
        while not port and time.monotonic() < deadline:
            found = re.search(r"Listening at: http://127.0.0.1:(\d+)", server.stdout.readline())
            port = found.group(1) if found else ""
        assert port, "gunicorn did not start"
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/healthz?q={nik}&region=33.17",
            headers={"Referer": f"http://127.0.0.1:{port}/actors/?q={nik}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            assert response.status == 200
        line = ""
        while "/healthz" not in line and time.monotonic() < deadline:
            line = server.stdout.readline()
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert '"GET /healthz HTTP/1.1" 200' in line
    assert nik not in line
    assert "q=" not in line
