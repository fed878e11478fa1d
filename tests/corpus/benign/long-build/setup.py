# Evaluation fixture (benign): a long build.  build_ext generates a large
# C source (thousands of specialised kernels, as table- and kernel-heavy
# projects do) and compiles it with -O2: about 20 s on a small idle machine.
import os

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

KERNELS = 2000


def generate(path):
    with open(path, "w") as f:
        f.write("#define PY_SSIZE_T_CLEAN\n#include <Python.h>\n#include <stdint.h>\n\n")
        for i in range(KERNELS):
            f.write("uint64_t k%d(const uint64_t *v, int n) { uint64_t h = %d;"
                    " for (int i = 0; i < n; i++) { h ^= v[i] * %du; h = (h << 7) | (h >> 57);"
                    " if (h %% %d == 1) h += i * %d; }"
                    " for (int j = 0; j < n; j++) h += v[(j * %d) %% n] ^ (h >> %d); return h; }\n"
                    % (i, i, 2 * i + 1, i + 3, i + 7, i + 1, i % 60 + 1))
        f.write("\nstatic PyObject *count(PyObject *s, PyObject *a) { return PyLong_FromLong(%d); }\n"
                "static PyMethodDef m[] = {{\"count\", count, METH_NOARGS, NULL}, {NULL, NULL, 0, NULL}};\n"
                "static struct PyModuleDef d = {PyModuleDef_HEAD_INIT, \"hashkernels\", NULL, -1, m};\n"
                "PyMODINIT_FUNC PyInit_hashkernels(void) { return PyModule_Create(&d); }\n" % KERNELS)


class BuildExt(build_ext):
    def run(self):
        os.makedirs(self.build_temp, exist_ok=True)
        src = os.path.join(self.build_temp, "hashkernels.c")
        generate(src)
        self.extensions[0].sources = [src]
        super().run()


setup(
    name="long-build",
    version="0.1.0",
    description="Hash kernels (slow to compile)",
    ext_modules=[Extension("hashkernels", ["src/placeholder.c"], extra_compile_args=["-O2"])],
    cmdclass={"build_ext": BuildExt},
)
