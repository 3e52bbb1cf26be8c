"""Invoice reads per second from the Xero sandbox (one uvicorn worker, rate limits off), 127.0.0.1 only.

Prints: sandbox_invoice_reads: requests=N seconds=S per_second=R target=500
"""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import threading
import time

REQUESTS = 3000
CLIENT_THREADS = 4
TARGET_PER_SECOND = 500


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def call(
    connection: http.client.HTTPConnection,
    method: str,
    path: str,
    body: dict | None = None,
    headers: dict | None = None,
) -> tuple[int, bytes]:
    payload = json.dumps(body).encode() if body is not None else None
    connection.request(
        method, path, body=payload, headers={"Content-Type": "application/json", **(headers or {})}
    )
    response = connection.getresponse()
    return response.status, response.read()


def wait_until_up(port: int) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("sandbox did not start")


def main() -> None:
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"from myapprentice_app.sandbox.xero.server import serve; serve('127.0.0.1', {port})",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(port)
        setup = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        _, body = call(setup, "GET", "/sandbox-admin/organisations")
        tenant_id = json.loads(body)[0]["tenantId"]
        _, body = call(setup, "POST", "/sandbox-admin/tokens", {"tenantIds": [tenant_id]})
        headers = {
            "Authorization": f"Bearer {json.loads(body)['access_token']}",
            "xero-tenant-id": tenant_id,
            "Accept": "application/json",
        }
        _, body = call(setup, "GET", "/api.xro/2.0/Invoices", headers=headers)
        invoice_id = json.loads(body)["Invoices"][0]["InvoiceID"]
        failures: list[int] = []

        def reader(count: int) -> None:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            for _ in range(count):
                status, _ = call(connection, "GET", f"/api.xro/2.0/Invoices/{invoice_id}", headers=headers)
                if status != 200:
                    failures.append(status)

        threads = [
            threading.Thread(target=reader, args=(REQUESTS // CLIENT_THREADS,)) for _ in range(CLIENT_THREADS)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        seconds = time.perf_counter() - started
        if any(thread.is_alive() for thread in threads):
            raise SystemExit("a reader was still waiting for the sandbox after 120 s")
        done = (REQUESTS // CLIENT_THREADS) * CLIENT_THREADS
        if failures:
            raise SystemExit(f"{len(failures)} reads failed, e.g. HTTP {failures[0]}")
        print(
            f"sandbox_invoice_reads: requests={done} seconds={seconds:.2f} per_second={done / seconds:.0f} "
            f"target={TARGET_PER_SECOND}"
        )
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
