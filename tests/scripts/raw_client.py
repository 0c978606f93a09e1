#!/usr/bin/env python3
"""Talks to a Symphony extension with nothing but JSON lines over pipes (stdlib only).

Usage: raw_client.py EXTENSION_BINARY

Proves the protocol claim "any JSON-RPC client that writes lines of JSON to a pipe can talk
to an extension": no SDK code is involved on this side. Exits non-zero with a message on the
first deviation; prints "ok: N exchanges" on success.
"""

import json
import subprocess
import sys


def main(binary):
    proc = subprocess.Popen(
        [binary],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        encoding="utf-8",
    )
    exchanges = 0

    def send(message):
        line = message if isinstance(message, str) else json.dumps(message)
        proc.stdin.write(line + "\n")
        proc.stdin.flush()

    def receive():
        line = proc.stdout.readline()
        if not line:
            fail("the extension closed its output")
        return json.loads(line)

    def fail(why):
        proc.kill()
        proc.wait()
        sys.exit("raw client: " + why)

    def call(message):
        nonlocal exchanges
        send(message)
        exchanges += 1
        return receive()

    init = call({
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "1.0", "host": {"name": "python", "version": "3"},
                   "config": {}, "grants": {}, "workspaceRoots": []},
    })
    if init.get("id") != 1 or not init.get("result", {}).get("protocolVersion", "").startswith("1."):
        fail("bad initialize answer: %r" % init)
    if init["result"]["manifest"].get("id") != "symphony.echo":
        fail("unexpected manifest: %r" % init["result"]["manifest"])
    send({"jsonrpc": "2.0", "method": "initialized"})

    params = {"hello": "world", "n": [1, 2.5, None, True], "text": "caf\u00e9 \u2603"}
    echoed = call({"jsonrpc": "2.0", "id": "two", "method": "echo", "params": params})
    if echoed != {"jsonrpc": "2.0", "id": "two", "result": params}:
        fail("bad echo: %r" % echoed)

    garbage = call("this is not json")
    if garbage.get("id") is not None or garbage.get("error", {}).get("code") != -32700:
        fail("bad parse-error answer: %r" % garbage)

    unknown = call({"jsonrpc": "2.0", "id": 3, "method": "nope"})
    if unknown.get("error", {}).get("code") != -32601:
        fail("bad unknown-method answer: %r" % unknown)

    denied = call({"jsonrpc": "2.0", "id": 4, "method": "env/get", "params": ["HOME"]})
    if denied.get("error", {}).get("code") != -32001:
        fail("bad permission answer: %r" % denied)

    shutdown = call({"jsonrpc": "2.0", "id": 5, "method": "shutdown"})
    if shutdown != {"jsonrpc": "2.0", "id": 5, "result": None}:
        fail("bad shutdown answer: %r" % shutdown)
    send({"jsonrpc": "2.0", "method": "exit"})
    try:
        code = proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        fail("the extension did not exit after `exit`")
    if code != 0:
        fail("exit code %d after shutdown and exit" % code)
    print("ok: %d exchanges" % exchanges)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
