"""Loopback stand-ins for everything a malicious install talks to.

All servers listen on 127.0.0.1 only and run as threads of the evaluation
driver, which itself runs in a private network namespace whose only
interface is loopback: nothing they receive can come from, or go to,
anywhere else.

  http   a web server (port 80 when it can be bound): payloads under /p/,
         a fake package index under /packages/, C2 tasks under /c2/, and
         any POST (webhooks, paste sites, bot APIs) is accepted
  sink   raw TCP: reads everything, answers nothing
  udp    raw UDP datagrams
  dns    a DNS server on port 53: answers A queries with 127.0.0.1 and
         records every name asked
  c2     a reverse-shell listener: sends one harmless command, reads the
         output, hangs up

Everything received is accounted to the run named by Recorder.begin():
byte counts always, contents up to a cap (fixtures prove their effect by
sending fake secrets, which the evaluation looks for).
"""
import http.server
import os
import socket
import socketserver
import struct
import threading

STORE_CAP = 4 << 20      # bytes of contents kept per run
REQUEST_CAP = 8 << 20    # bytes read from one request or connection
IO_TIMEOUT = 15          # seconds a connection may stay idle

# What the C2 listener asks a reverse shell to run: only a marker file in
# the run's own directory.
C2_COMMAND = b'echo "c2 session $SP_TOKEN" > "$SP_MARK/c2.ran"; exit\n'
# The task an HTTP C2 beacon gets.
C2_TASK = b'echo "c2 task $SP_TOKEN" > "$SP_MARK/c2-task.ran"; id\n'


class Run:
    """What the services received during one install."""

    def __init__(self, name):
        self.name = name
        self.bytes = {"http": 0, "sink": 0, "udp": 0, "dns": 0, "c2": 0}
        self.connections = 0
        self.data = bytearray()
        self.dns_names = []
        self.http_paths = []
        self.c2_sessions = 0

    def total_bytes(self):
        return sum(self.bytes.values())


class Recorder:
    """Thread-safe accounting of what the services receive, per run."""

    def __init__(self):
        self.lock = threading.Lock()
        self.run = Run("(between runs)")

    def begin(self, name):
        with self.lock:
            self.run = Run(name)
            return self.run

    def end(self):
        with self.lock:
            run, self.run = self.run, Run("(between runs)")
            return run

    def add(self, service, data, connection=False):
        with self.lock:
            r = self.run
            r.bytes[service] += len(data)
            if connection:
                r.connections += 1
            room = STORE_CAP - len(r.data)
            if room > 0:
                r.data += data[:room]

    def note(self, what, value):
        with self.lock:
            lst = getattr(self.run, what)
            if len(lst) < 10000:
                lst.append(value)

    def c2_session(self):
        with self.lock:
            self.run.c2_sessions += 1


class _Threading:
    daemon_threads = True
    allow_reuse_address = True


class HttpServer(_Threading, socketserver.ThreadingMixIn, http.server.HTTPServer):
    pass


class TcpServer(_Threading, socketserver.ThreadingTCPServer):
    pass


class UdpServer(socketserver.UDPServer):
    allow_reuse_address = True


def _handler_http(rec, www):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"
        timeout = IO_TIMEOUT

        def log_message(self, *args):
            pass

        def _account(self, body=b""):
            head = self.requestline.encode("latin-1", "replace") + b"\r\n" + bytes(self.headers)
            rec.add("http", head + body, connection=True)
            rec.note("http_paths", self.command + " " + self.path)

        def _reply(self, code, body, ctype="text/plain"):
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            self._account()
            path = self.path.split("?", 1)[0]
            if path.startswith("/c2/"):
                self._reply(200, C2_TASK)
                return
            # Index files under /packages/; payloads by their name under any
            # other path, as paste sites and CDNs serve them (/raw/NAME,
            # /user/repo/main/NAME, /p/NAME).
            name = os.path.basename(path)
            sub = "packages" if path.startswith("/packages/") else "p"
            full = os.path.join(www, sub, name)
            if name and not name.startswith(".") and os.path.isfile(full):
                with open(full, "rb") as f:
                    self._reply(200, f.read(), "application/octet-stream")
                return
            self._reply(404, b"not found\n")

        def do_POST(self):
            try:
                n = min(int(self.headers.get("Content-Length", "0")), REQUEST_CAP)
            except ValueError:
                n = 0
            body = self.rfile.read(n) if n > 0 else b""
            self._account(body)
            self._reply(200, b'{"ok":true}\n', "application/json")

        do_PUT = do_POST

    return Handler


def _read_all(sock, rec, service, first=True):
    sock.settimeout(IO_TIMEOUT)
    total = 0
    while total < REQUEST_CAP:
        try:
            data = sock.recv(65536)
        except OSError:
            break
        if not data:
            break
        total += len(data)
        rec.add(service, data, connection=first)
        first = False
    if first:
        rec.add(service, b"", connection=True)


def _handler_sink(rec):
    class Handler(socketserver.BaseRequestHandler):
        def handle(self):
            _read_all(self.request, rec, "sink")

    return Handler


def _handler_c2(rec):
    class Handler(socketserver.BaseRequestHandler):
        def handle(self):
            rec.c2_session()
            try:
                self.request.sendall(C2_COMMAND)
            except OSError:
                pass
            _read_all(self.request, rec, "c2")

    return Handler


def _handler_udp(rec):
    class Handler(socketserver.BaseRequestHandler):
        def handle(self):
            rec.add("udp", self.request[0], connection=True)

    return Handler


def dns_parse_query(packet):
    """(id, name, qtype, end of question) of a DNS query, or None."""
    if len(packet) < 12:
        return None
    qid, flags, qd = struct.unpack("!HHH", packet[:6])
    if flags & 0x8000 or qd < 1:
        return None
    labels, i = [], 12
    while i < len(packet) and len(labels) < 128:
        n = packet[i]
        if n == 0:
            i += 1
            break
        if n & 0xC0 or i + 1 + n > len(packet):
            return None
        labels.append(packet[i + 1:i + 1 + n].decode("ascii", "replace"))
        i += 1 + n
    if i + 4 > len(packet):
        return None
    qtype = struct.unpack("!H", packet[i:i + 2])[0]
    return qid, ".".join(labels), qtype, i + 4


def dns_answer(packet):
    """The reply to a query: A 127.0.0.1 for A queries, no data otherwise."""
    q = dns_parse_query(packet)
    if not q:
        return None, None
    qid, name, qtype, end = q
    question = packet[12:end]
    answers = b""
    if qtype == 1:
        answers = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 5, 4) + socket.inet_aton("127.0.0.1")
    head = struct.pack("!HHHHHH", qid, 0x8180, 1, 1 if answers else 0, 0, 0)
    return name, head + question + answers


def _handler_dns(rec):
    class Handler(socketserver.BaseRequestHandler):
        def handle(self):
            packet, sock = self.request
            rec.add("dns", packet, connection=True)
            name, reply = dns_answer(packet)
            if name is not None:
                rec.note("dns_names", name)
                try:
                    sock.sendto(reply, self.client_address)
                except OSError:
                    pass

    return Handler


class Services:
    """Start every service; ports in .ports; stop() shuts them down."""

    def __init__(self, www, http_port=80, dns_port=53):
        self.rec = Recorder()
        self.servers = []
        self.ports = {}
        self._start("http", HttpServer, _handler_http(self.rec, www), http_port)
        self._start("sink", TcpServer, _handler_sink(self.rec), 0)
        self._start("c2", TcpServer, _handler_c2(self.rec), 0)
        self._start("udp", UdpServer, _handler_udp(self.rec), 0)
        self._start("dns", UdpServer, _handler_dns(self.rec), dns_port)

    def _start(self, name, cls, handler, port):
        try:
            srv = cls(("127.0.0.1", port), handler)
        except OSError:
            if port == 0:
                raise
            srv = cls(("127.0.0.1", 0), handler)
        self.servers.append(srv)
        self.ports[name] = srv.server_address[1]
        t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.2},
                             name="svc-" + name, daemon=True)
        t.start()

    def stop(self):
        for srv in self.servers:
            srv.shutdown()
            srv.server_close()
