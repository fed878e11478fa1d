#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *features(PyObject *self, PyObject *args)
{
	return Py_BuildValue("{s:i,s:i,s:i}",
#ifdef HAVE_BUILTIN_POPCOUNT
			     "popcount", 1,
#else
			     "popcount", 0,
#endif
#ifdef HAVE_CLOCK_MONOTONIC
			     "monotonic", 1,
#else
			     "monotonic", 0,
#endif
#ifdef HAVE_LITTLE_ENDIAN
			     "little_endian", 1
#else
			     "little_endian", 0
#endif
	);
}

static PyMethodDef methods[] = { { "features", features, METH_NOARGS, NULL }, { NULL, NULL, 0, NULL } };
static struct PyModuleDef module = { PyModuleDef_HEAD_INIT, "sysfeat", NULL, -1, methods };

PyMODINIT_FUNC PyInit_sysfeat(void)
{
	return PyModule_Create(&module);
}
