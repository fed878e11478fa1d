import ctypes

from zctypes._libpath import LIBZ

_z = ctypes.CDLL(LIBZ)
_z.zlibVersion.restype = ctypes.c_char_p


def version():
    return _z.zlibVersion().decode()
