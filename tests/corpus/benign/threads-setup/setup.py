# Evaluation fixture (benign): threads in setup.py.  Assets are compressed
# by a thread pool and three extensions are compiled by build_ext's own
# parallel mode, as big projects do to cut build times.
import gzip
import os
from concurrent.futures import ThreadPoolExecutor

from setuptools import Extension, setup
from setuptools.command.build_py import build_py


def _asset(i):
    return "/* asset %d */\n" % i + ".c%d { margin: %dpx; }\n" % (i, i % 17) * 200


class BuildPy(build_py):
    def run(self):
        super().run()
        out = os.path.join(self.build_lib, "webassets", "static")
        os.makedirs(out, exist_ok=True)

        def work(i):
            with gzip.open(os.path.join(out, "style%03d.css.gz" % i), "wt") as f:
                f.write(_asset(i))
            return i

        with ThreadPoolExecutor(max_workers=4) as pool:
            done = list(pool.map(work, range(120)))
        assert done == list(range(120))


exts = [Extension("webassets._acc%d" % i, ["src/acc%d.c" % i]) for i in range(3)]
setup(
    name="threads-setup",
    version="0.8.0",
    description="Web assets and small C accelerators",
    packages=["webassets"],
    ext_modules=exts,
    options={"build_ext": {"parallel": 2}},
    cmdclass={"build_py": BuildPy},
)
