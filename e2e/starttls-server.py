#!/usr/bin/env python3
"""An SMTP exchange for the end-to-end scripts that speaks STARTTLS: greets, answers EHLO with
STARTTLS among its extensions, upgrades to TLS with the certificate and key in PEM files, and
answers QUIT. The certificate is read anew for every connection, so that a script can replace
it under a running server (a renewal, or a new key).

    e2e/starttls-server.py ADDRESS PORT CERT.pem KEY.pem
"""
import socketserver
import ssl
import sys

ADDRESS, PORT, CERT, KEY = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]


class Session(socketserver.StreamRequestHandler):
    timeout = 10

    def handle(self):
        conn = self.connection
        reader, writer = self.rfile, self.wfile
        writer.write(b"220 mx.dane.test ESMTP ready\r\n")
        writer.flush()
        while True:
            line = reader.readline(1000)
            if not line:
                return
            verb = line.strip().split(b" ")[0].upper()
            if verb in (b"EHLO", b"HELO"):
                extensions = [] if isinstance(conn, ssl.SSLSocket) else [b"STARTTLS"]
                reply = [b"mx.dane.test"] + extensions + [b"8BITMIME"]
                writer.write(b"".join(b"250" + (b" " if i == len(reply) - 1 else b"-") + r + b"\r\n" for i, r in enumerate(reply)))
            elif verb == b"STARTTLS" and not isinstance(conn, ssl.SSLSocket):
                writer.write(b"220 go ahead\r\n")
                writer.flush()
                context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                context.load_cert_chain(CERT, KEY)
                conn = context.wrap_socket(conn, server_side=True)
                reader, writer = conn.makefile("rb"), conn.makefile("wb")
                continue
            elif verb == b"QUIT":
                writer.write(b"221 bye\r\n")
                writer.flush()
                return
            else:
                writer.write(b"502 not here\r\n")
            writer.flush()


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


with Server((ADDRESS, PORT), Session) as server:
    server.serve_forever()
