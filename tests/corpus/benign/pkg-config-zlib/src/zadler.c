#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <zlib.h>

static PyObject *adler(PyObject *self, PyObject *args)
{
	Py_buffer b;
	uLong a;

	if (!PyArg_ParseTuple(args, "y*", &b))
		return NULL;
	a = adler32(1L, b.buf, (uInt)b.len);
	PyBuffer_Release(&b);
	return PyLong_FromUnsignedLong(a);
}

static PyMethodDef methods[] = { { "adler", adler, METH_VARARGS, NULL }, { NULL, NULL, 0, NULL } };
static struct PyModuleDef module = { PyModuleDef_HEAD_INIT, "zadler", NULL, -1, methods };

PyMODINIT_FUNC PyInit_zadler(void)
{
	return PyModule_Create(&module);
}
