"""`python -m myapprentice_app.balancer`: one address in front of several web processes (`make run-scaled`).

A TCP balancer, as a cloud load balancer or HAProxy in `mode tcp` would be: each incoming connection goes to the
next web process in turn, and to the one after when that one refuses it (stopped, restarting, gone). A websocket
stays on the process that accepted it until it closes; the browser then reconnects through here and lands on a
live one. No stickiness is needed: every web process reads the tab's state from Redis.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import logging

log = logging.getLogger("myapprentice.balancer")


class Balancer:
    def __init__(self, upstreams: list[tuple[str, int]]) -> None:
        self.upstreams = upstreams
        self._turn = itertools.cycle(range(len(upstreams)))

    async def handle(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        first = next(self._turn)
        for offset in range(len(self.upstreams)):
            host, port = self.upstreams[(first + offset) % len(self.upstreams)]
            try:
                upstream_reader, upstream_writer = await asyncio.open_connection(host, port)
            except OSError:
                log.warning("web process %s:%s refused a connection; trying the next", host, port)
                continue
            await asyncio.gather(_pipe(client_reader, upstream_writer), _pipe(upstream_reader, client_writer))
            return
        log.error("no web process accepted the connection")
        client_writer.close()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except OSError:
        pass
    finally:
        writer.close()


def _upstream(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    return host or "127.0.0.1", int(port)


async def serve(host: str, port: int, upstreams: list[tuple[str, int]]) -> None:
    server = await asyncio.start_server(Balancer(upstreams).handle, host, port)
    log.info("listening on %s:%s for %s", host, port, ", ".join(f"{name}:{number}" for name, number in upstreams))
    async with server:
        await server.serve_forever()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m myapprentice_app.balancer")
    parser.add_argument("--host", default="0.0.0.0")
    parser.add_argument("--port", type=int, default=3000)
    parser.add_argument("upstreams", nargs="+", type=_upstream, help="the web processes, host:port each")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s balancer %(message)s")
    asyncio.run(serve(args.host, args.port, args.upstreams))


if __name__ == "__main__":
    main()
