#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *info(PyObject *self, PyObject *args)
{
	return Py_BuildValue("{s:s,s:s,s:i}", "machine", BUILD_MACHINE, "os", BUILD_OS, "jobs", BUILD_JOBS);
}

static PyMethodDef methods[] = { { "info", info, METH_NOARGS, NULL }, { NULL, NULL, 0, NULL } };
static struct PyModuleDef module = { PyModuleDef_HEAD_INIT, "envconf", NULL, -1, methods };

PyMODINIT_FUNC PyInit_envconf(void)
{
	return PyModule_Create(&module);
}
