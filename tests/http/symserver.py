#!/usr/bin/env python3
"""A symbol server for dumpdbg's tests: serves a store directory over HTTP on 127.0.0.1.

    symserver.py ROOT

Binds port 0, prints the port on its own line, then serves until killed or until its standard
input reaches end of file (the test keeps a pipe open there, so the server ends with the test
process however that ends). The first path
component picks how the rest (NAME/KEY/FILE inside ROOT) is answered:

    /store/P      the file ROOT/P, or 404
    /e404/P       always 404
    /e500/P       always 500
    /flaky/P      500 the first time P is asked for, then as /store
    /slow/P       200 with the right Content-Length, then one byte every 0.25 s
    /trunc/P      200 with the right Content-Length, then half the body and a closed connection
    /redirect/P   302 to /store/P
    /loop/P       302 to itself
    /cab/P        for FILE ending in '_': an MSZIP cabinet of ROOT/NAME/KEY/NAME; else 404
    /cabstored/P  the same with an uncompressed cabinet
    /badcab/P     for FILE ending in '_': bytes that are not a cabinet; else 404
    /stats        one line "COUNT PATH" per path asked for, then "ua USER-AGENT" (the last one)
"""
import collections
import os
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_cab import make_cab  # noqa: E402

ROOT = None
LOCK = threading.Lock()
COUNTS = collections.Counter()
LAST_UA = [""]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, fmt, *args):
        pass

    def send_body(self, code, body, content_type="application/octet-stream"):
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def not_found(self):
        self.send_body(404, b"not found\n", "text/plain")

    def store_file(self, rel):
        """Returns the bytes of ROOT/REL, or None when absent or outside ROOT."""
        path = os.path.realpath(os.path.join(ROOT, rel))
        if not path.startswith(os.path.realpath(ROOT) + os.sep) or not os.path.isfile(path):
            return None
        with open(path, "rb") as f:
            return f.read()

    def do_GET(self):
        raw = urllib.parse.urlsplit(self.path).path
        path = urllib.parse.unquote(raw)
        with LOCK:
            if path != "/stats":
                COUNTS[path] += 1
                LAST_UA[0] = self.headers.get("User-Agent", "")
            first = COUNTS[path]
        if path == "/stats":
            with LOCK:
                lines = ["%d %s" % (n, p) for p, n in sorted(COUNTS.items())]
                lines.append("ua " + LAST_UA[0])
            return self.send_body(200, ("\n".join(lines) + "\n").encode(), "text/plain")
        parts = path.lstrip("/").split("/", 1)
        mode, rel = parts[0], parts[1] if len(parts) > 1 else ""
        try:
            getattr(self, "mode_" + mode, self.mode_unknown)(raw, rel, first)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def mode_unknown(self, raw, rel, first):
        self.not_found()

    def mode_store(self, raw, rel, first):
        data = self.store_file(rel)
        if data is None:
            return self.not_found()
        self.send_body(200, data)

    def mode_e404(self, raw, rel, first):
        self.not_found()

    def mode_e500(self, raw, rel, first):
        self.send_body(500, b"internal error\n", "text/plain")

    def mode_flaky(self, raw, rel, first):
        if first == 1:
            return self.send_body(500, b"try again\n", "text/plain")
        self.mode_store(raw, rel, first)

    def mode_slow(self, raw, rel, first):
        data = self.store_file(rel)
        if data is None:
            return self.not_found()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        deadline = time.time() + 60
        for i in range(len(data)):
            if time.time() > deadline:
                break
            self.wfile.write(data[i:i + 1])
            self.wfile.flush()
            time.sleep(0.25)

    def mode_trunc(self, raw, rel, first):
        data = self.store_file(rel)
        if data is None:
            return self.not_found()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data[:len(data) // 2])
        self.wfile.flush()
        self.close_connection = True

    def mode_redirect(self, raw, rel, first):
        self.send_response(302)
        self.send_header("Location", "/store/" + raw.split("/", 2)[2])
        self.send_header("Content-Length", "0")
        self.end_headers()

    def mode_loop(self, raw, rel, first):
        self.send_response(302)
        self.send_header("Location", raw)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def cabinet(self, rel, compress):
        comps = rel.split("/")
        if len(comps) != 3 or not comps[2].endswith("_"):
            return None
        data = self.store_file("/".join([comps[0], comps[1], comps[0]]))
        if data is None:
            return None
        return make_cab(data, comps[0], compress=compress)

    def mode_cab(self, raw, rel, first):
        cab = self.cabinet(rel, True)
        if cab is None:
            return self.not_found()
        self.send_body(200, cab)

    def mode_cabstored(self, raw, rel, first):
        cab = self.cabinet(rel, False)
        if cab is None:
            return self.not_found()
        self.send_body(200, cab)

    def mode_badcab(self, raw, rel, first):
        if self.cabinet(rel, False) is None:
            return self.not_found()
        self.send_body(200, b"MSCF this is not really a cabinet" * 4)


def main():
    global ROOT
    if len(sys.argv) != 2:
        sys.stderr.write("usage: symserver.py ROOT\n")
        return 2
    ROOT = sys.argv[1]
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)

    def watch_stdin():
        try:
            while sys.stdin.buffer.read(4096):
                pass
        finally:
            os._exit(0)

    threading.Thread(target=watch_stdin, daemon=True).start()
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
