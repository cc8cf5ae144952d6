"""Interop driver for Python's `websockets` (asyncio client) at its default settings.

Reads one JSON command per line on stdin and prints one JSON event per line on stdout; the Java test
(io.delegatebroker.broker.interop) decides what to do. The library does everything else itself: permessage-deflate
offered, pings answered, closes answered. Only `ping_interval` is shortened when the test asks (the library's own
keepalive, on by default every 20 s), and proxies from the environment are not used for loopback.
"""
import asyncio
import json
import sys

import websockets
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

conns = {}


def emit(conn, event, **fields):
    print(json.dumps({"conn": conn, "event": event, **fields}), flush=True)


async def reader(conn, ws):
    try:
        while True:
            message = await ws.recv()
            emit(conn, "text", data=message if isinstance(message, str) else message.decode("latin-1"))
    except ConnectionClosed as e:
        rcvd = e.rcvd
        emit(conn, "close", code=rcvd.code if rcvd else None, reason=rcvd.reason if rcvd else None)


async def open_connection(cmd):
    conn = cmd["conn"]
    kwargs = {"additional_headers": cmd["headers"], "proxy": None}
    if not cmd.get("compress", True):
        kwargs["compression"] = None
    if "pingInterval" in cmd:
        kwargs["ping_interval"] = cmd["pingInterval"]
    try:
        ws = await connect(cmd["url"], **kwargs)
    except InvalidStatus as e:
        emit(conn, "refused", status=e.response.status_code)
        return
    except Exception as e:  # noqa: BLE001 - reported to the test
        emit(conn, "error", message=repr(e))
        return
    conns[conn] = ws
    emit(conn, "open", extensions=ws.response.headers.get("Sec-WebSocket-Extensions", ""))
    asyncio.create_task(reader(conn, ws))


async def run(cmd):
    op = cmd["op"]
    conn = cmd.get("conn")
    ws = conns.get(conn)
    try:
        if op == "connect":
            await open_connection(cmd)
        elif op == "text":
            await ws.send(cmd["data"])
        elif op == "fragments":
            await ws.send(iter(cmd["parts"]))
        elif op == "ping":
            waiter = await ws.ping()
            await waiter
            emit(conn, "pong")
        elif op == "pong":
            await ws.pong(b"")
        elif op == "close":
            await ws.close(cmd["code"], cmd["reason"])
        elif op == "stats":
            emit(conn, "stats", latency=ws.latency, pongsReceived=None, pingsReceived=None)
        elif op == "version":
            emit(None, "version", library="websockets", version=websockets.version.version)
        else:
            emit(conn, "error", message="unknown op " + op)
    except ConnectionClosed:
        pass  # the reader reports the close
    except Exception as e:  # noqa: BLE001 - reported to the test
        emit(conn, "error", message=repr(e))


async def main():
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            break
        cmd = json.loads(line)
        if cmd["op"] == "exit":
            break
        asyncio.create_task(run(cmd))
    for ws in list(conns.values()):
        await ws.close()


asyncio.run(main())
