#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include "sketch.h"

static PyObject *width(PyObject *self, PyObject *args)
{
	return PyFloat_FromDouble(sketch_log2(SKETCH_WIDTH));
}

static PyMethodDef methods[] = { { "width_bits", width, METH_NOARGS, NULL }, { NULL, NULL, 0, NULL } };
static struct PyModuleDef module = { PyModuleDef_HEAD_INIT, "sketch", NULL, -1, methods };

PyMODINIT_FUNC PyInit_sketch(void)
{
	return PyModule_Create(&module);
}
