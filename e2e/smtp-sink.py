#!/usr/bin/env python3
"""A minimal SMTP server for the end-to-end scripts: accepts every message on 127.0.0.1:PORT
(plain SMTP, no TLS, no AUTH) and writes each one as a file in DIR, so that a script can count
the alert emails mxwatch sent and find any sent twice.

    e2e/smtp-sink.py PORT DIR
"""
import os
import socketserver
import sys
import threading

PORT, DIR = int(sys.argv[1]), sys.argv[2]
os.makedirs(DIR, exist_ok=True)
counter = iter(range(1, 1 << 62))
lock = threading.Lock()


class Session(socketserver.StreamRequestHandler):
    timeout = 30

    def reply(self, line):
        self.wfile.write((line + "\r\n").encode())

    def handle(self):
        self.reply("220 sink.e2e.test ESMTP")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            verb = line.decode("latin-1").strip().split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 sink.e2e.test")
            elif verb in ("MAIL", "RCPT", "RSET", "NOOP"):
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 end with .")
                body = []
                while True:
                    data = self.rfile.readline()
                    if not data or data in (b".\r\n", b".\n"):
                        break
                    body.append(data[1:] if data.startswith(b"..") else data)
                with lock:
                    n = next(counter)
                with open(os.path.join(DIR, f"{n:06d}.eml"), "wb") as f:
                    f.write(b"".join(body))
                self.reply("250 OK queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 not implemented")


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


Server(("127.0.0.1", PORT), Session).serve_forever()
