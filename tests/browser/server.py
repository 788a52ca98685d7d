"""A static file server for the built site on a free 127.0.0.1 port, optionally gzip like GitHub Pages."""

import functools
import gzip
import http.server
import os
import threading

TYPES = {
    ".mjs": "text/javascript",
    ".js": "text/javascript",
    ".wasm": "application/wasm",
    ".json": "application/json",
    ".zip": "application/zip",
    ".py": "text/plain",
    ".css": "text/css",
}
COMPRESSIBLE = (".html", ".js", ".mjs", ".css", ".json", ".py", ".wasm", ".svg", ".xml", ".txt")


class _Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **TYPES}
    gzip = False

    def log_message(self, *args):  # keep test output quiet
        pass

    def end_headers(self):
        self.send_header("Cache-Control", "max-age=600")
        super().end_headers()

    def send_head(self):
        if not self.gzip or "gzip" not in self.headers.get("Accept-Encoding", ""):
            return super().send_head()
        path = self.translate_path(self.path)
        if os.path.isdir(path) and self.path.split("?")[0].endswith("/"):
            path = os.path.join(path, "index.html")  # a directory's page is compressed too, as Pages does
        if not path.endswith(COMPRESSIBLE):
            return super().send_head()
        try:
            with open(path, "rb") as fh:
                body = gzip.compress(fh.read(), 6)
        except OSError:
            return super().send_head()
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        import io

        return io.BytesIO(body)


class SiteServer:
    """Serve `root` on 127.0.0.1 (port 0 = a free one) in a background thread."""

    def __init__(self, root: str, port: int = 0, gzip_enabled: bool = False):
        handler = functools.partial(type("H", (_Handler,), {"gzip": gzip_enabled}), directory=root)
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
