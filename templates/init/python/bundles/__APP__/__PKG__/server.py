"""__APP__: a placeholder app (written by ferry init). `/` answers the version, `/check.html` is
the health check ferry waits for after a switch. Replace it with your app; keep a health URL."""
import argparse
import json
import os
import signal
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import __PKG__


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/check.html":
            body, ctype = "ok\n", "text/html"
        else:
            info = {"name": "__APP__", "version": __PKG__.__version__, "host": os.environ.get("FERRY_HOST")}
            body, ctype = json.dumps(info) + "\n", "application/json"
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def main():
    parser = argparse.ArgumentParser(prog="__APP__-server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    # SIGTERM (a restart): stop accepting, finish the requests in flight, exit 0
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    print(f"__APP__ {__PKG__.__version__} listening on {args.host}:{args.port}", flush=True)
    server.serve_forever()
    server.server_close()


if __name__ == "__main__":
    main()
