# Evaluation fixture (benign): compile-and-run feature probes, as psutil,
# pyzmq or numpy's build do: small test programs compiled in a temporary
# directory and executed there to learn what the system offers, before the
# real extension is built with the resulting macros.
import os
import shutil
import subprocess
import sysconfig
import tempfile

from setuptools import Extension, setup

PROBES = {
    "HAVE_BUILTIN_POPCOUNT": "int main(void){return __builtin_popcount(3) == 2 ? 0 : 1;}",
    "HAVE_CLOCK_MONOTONIC": "#include <time.h>\nint main(void){struct timespec t;"
                            "return clock_gettime(CLOCK_MONOTONIC, &t);}",
    "HAVE_LITTLE_ENDIAN": "int main(void){unsigned x = 1; return *(unsigned char *)&x == 1 ? 0 : 1;}",
}


def probe():
    cc = (sysconfig.get_config_var("CC") or "cc").split()[0]
    found = []
    tmp = tempfile.mkdtemp(prefix="probe-")
    try:
        for macro, code in sorted(PROBES.items()):
            src, exe = os.path.join(tmp, macro + ".c"), os.path.join(tmp, macro)
            with open(src, "w") as f:
                f.write(code + "\n")
            if subprocess.run([cc, src, "-o", exe], capture_output=True).returncode == 0 \
                    and subprocess.run([exe]).returncode == 0:
                found.append((macro, "1"))
    finally:
        shutil.rmtree(tmp)
    return found


setup(
    name="feature-probe",
    version="5.9.0",
    description="System utilisation (feature-probed C helpers)",
    ext_modules=[Extension("sysfeat", ["src/sysfeat.c"], define_macros=probe())],
)
