#!/usr/bin/env python3
"""The policy host of an MTA-STS domain for the end-to-end scripts: HTTPS on ADDRESS:PORT with the
certificate and key in PEM files, serving the file POLICY as text/plain at
/.well-known/mta-sts.txt (read anew for every request, so that a script can change the policy)
and 404 for every other path.

    e2e/mta-sts-server.py ADDRESS PORT CERT.pem KEY.pem POLICY
"""
import http.server
import ssl
import sys

ADDRESS, PORT, CERT, KEY, POLICY = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path != "/.well-known/mta-sts.txt":
            self.send_error(404)
            return
        with open(POLICY, "rb") as f:
            body = f.read()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


server = http.server.ThreadingHTTPServer((ADDRESS, PORT), Handler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(CERT, KEY)
server.socket = context.wrap_socket(server.socket, server_side=True)
server.serve_forever()
