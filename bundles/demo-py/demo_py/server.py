"""http.server app: `/` answers the version and host after a little real work,
`/check.html` is the health check; SIGTERM stops accepting and finishes the request in flight."""
import argparse
import hashlib
import json
import os
import signal
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import demo_py

PAYLOAD = os.urandom(16 * 1024)


def work(rounds=32):
    digest = PAYLOAD
    for _ in range(rounds):
        digest = hashlib.sha256(PAYLOAD + digest).digest()
    return digest.hex()[:16]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _send(self, status, body, ctype):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/check.html":
            return self._send(200, "ok\n", "text/html")
        if self.path != "/":
            return self._send(404, "not found\n", "text/plain")
        body = {"name": "demo-py", "version": demo_py.__version__, "host": os.environ.get("FERRY_HOST", socket.gethostname()), "pid": os.getpid(), "work": work()}
        return self._send(200, json.dumps(body) + "\n", "application/json")

    def log_message(self, fmt, *args):
        sys.stderr.write("%s - %s\n" % (self.address_string(), fmt % args))


def main(argv=None):
    parser = argparse.ArgumentParser(prog="demo-py-server")
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--version", action="store_true", help="print version, module path and prefix, then exit")
    args = parser.parse_args(argv)
    if args.version:
        print(f"demo-py {demo_py.__version__} module={demo_py.__file__} prefix={sys.prefix}")
        return 0
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = False  # server_close() joins the threads serving requests

    def stop(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"demo-py {demo_py.__version__} listening on {args.host}:{args.port}", flush=True)
    server.serve_forever()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
