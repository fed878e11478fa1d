# Evaluation fixture (benign): a build that generates thousands of modules
# (as generated cloud API clients and protobuf packages do) and installs
# them: thousands of opens, writes and renames.
import os

from setuptools import setup
from setuptools.command.build_py import build_py

COUNT = 3000


class BuildPy(build_py):
    def run(self):
        super().run()
        out = os.path.join(self.build_lib, "bigapi", "endpoints")
        os.makedirs(out, exist_ok=True)
        with open(os.path.join(out, "__init__.py"), "w") as f:
            f.write("COUNT = %d\n" % COUNT)
        for i in range(COUNT):
            with open(os.path.join(out, "ep_%04d.py" % i), "w") as f:
                f.write('"""Endpoint %d (generated)."""\nPATH = "/v1/resource%d"\n\n\n'
                        'def request(client, **params):\n    return client.call("GET", PATH, params)\n'
                        % (i, i))


setup(
    name="many-files",
    version="1.34.0",
    description="Generated API client (thousands of modules)",
    packages=["bigapi"],
    cmdclass={"build_py": BuildPy},
)
