"""Loopback shim between object_store's GCS client (XML API) and fake-gcs-server.

fake-gcs-server has no XML PUT: a plain PUT is answered "invalid uploadType". The shim marks
plain PUTs as signed-URL uploads (which it does accept) and turns the JSON reply into the ETag
and Last-Modified headers object_store expects. Everything else passes through.

Usage: gcs_shim.py LISTEN_PORT UPSTREAM_PORT
"""

import datetime
import email.utils
import http.client
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LISTEN, UP = int(sys.argv[1]), int(sys.argv[2])


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _forward(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else None
        put = self.command == "PUT" and "?" not in self.path
        path = self.path + ("?X-Goog-Algorithm=shim" if put else "")
        headers = {
            k: v for k, v in self.headers.items() if k.lower() not in ("host", "authorization")
        }
        headers["Host"] = f"127.0.0.1:{UP}"  # must equal fake-gcs-server's -public-host
        conn = http.client.HTTPConnection("127.0.0.1", UP, timeout=30)
        conn.request(self.command, path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        hop = ("content-length", "transfer-encoding", "connection")
        out = [(k, v) for k, v in resp.getheaders() if k.lower() not in hop]
        if put and resp.status == 200:
            meta = json.loads(data)
            out.append(("ETag", '"%s"' % meta.get("etag", meta.get("md5Hash", ""))))
            updated = datetime.datetime.fromisoformat(meta["updated"].replace("Z", "+00:00"))
            out.append(("Last-Modified", email.utils.format_datetime(updated, usegmt=True)))
            data = b""
        self.send_response(resp.status)
        for k, v in out:
            self.send_header(k, v)
        length = resp.getheader("Content-Length", "0") if self.command == "HEAD" else str(len(data))
        self.send_header("Content-Length", length)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _forward


ThreadingHTTPServer(("127.0.0.1", LISTEN), Handler).serve_forever()
