#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include "tinyhash.h"

static PyObject *fnv1a(PyObject *self, PyObject *args)
{
	Py_buffer b;
	uint64_t h;

	if (!PyArg_ParseTuple(args, "y*", &b))
		return NULL;
	h = tinyhash_fnv1a(b.buf, (size_t)b.len);
	PyBuffer_Release(&b);
	return PyLong_FromUnsignedLongLong(h);
}

static PyMethodDef methods[] = { { "fnv1a", fnv1a, METH_VARARGS, NULL }, { NULL, NULL, 0, NULL } };
static struct PyModuleDef module = { PyModuleDef_HEAD_INIT, "pytinyhash", NULL, -1, methods };

PyMODINIT_FUNC PyInit_pytinyhash(void)
{
	return PyModule_Create(&module);
}
