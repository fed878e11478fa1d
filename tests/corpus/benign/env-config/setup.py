# Evaluation fixture (benign): build configuration from the machine, as
# numpy-style builds gather it: CPU features from /proc/cpuinfo, the OS
# from /etc/os-release, the machine from uname, compiler settings from
# CFLAGS-style environment variables and the interpreter's sysconfig in a
# subprocess.
import os
import platform
import subprocess
import sys

from setuptools import Extension, setup


def cpu_flags():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith(("flags", "Features")):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def os_id():
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("ID="):
                    return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return "unknown"


flags = cpu_flags()
machine = subprocess.run(["uname", "-m"], capture_output=True, text=True).stdout.strip() or platform.machine()
ext_suffix = subprocess.run([sys.executable, "-c", "import sysconfig; print(sysconfig.get_config_var('EXT_SUFFIX'))"],
                            capture_output=True, text=True).stdout.strip()
macros = [("BUILD_MACHINE", '"%s"' % machine), ("BUILD_OS", '"%s"' % os_id()),
          ("BUILD_JOBS", str(os.cpu_count() or 1))]
if "avx2" in flags:
    macros.append(("HAVE_AVX2_CPU", "1"))
extra = os.environ.get("ENVCONF_EXTRA_CFLAGS", "-O2").split()

setup(
    name="env-config",
    version="1.26.0",
    description="SIMD dispatch chosen at build time (%s)" % ext_suffix,
    ext_modules=[Extension("envconf", ["src/envconf.c"], define_macros=macros, extra_compile_args=extra)],
)
