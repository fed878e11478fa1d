#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include "b85_tables.h"

static PyObject *value(PyObject *self, PyObject *args)
{
	int c;

	if (!PyArg_ParseTuple(args, "i", &c) || c < 0 || c > 255) {
		PyErr_SetString(PyExc_ValueError, "a byte value");
		return NULL;
	}
	return PyLong_FromLong(b85_dec[c]);
}

static PyMethodDef methods[] = { { "value", value, METH_VARARGS, NULL }, { NULL, NULL, 0, NULL } };
static struct PyModuleDef module = { PyModuleDef_HEAD_INIT, "b85fast", NULL, -1, methods };

PyMODINIT_FUNC PyInit_b85fast(void)
{
	return PyModule_Create(&module);
}
