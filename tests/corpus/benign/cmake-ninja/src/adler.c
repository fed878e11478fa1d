/* The Python binding of the CMake-built library. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

uint32_t adler32lib_sum(const unsigned char *p, size_t n);

static PyObject *adler32(PyObject *self, PyObject *args)
{
	Py_buffer buf;
	uint32_t sum;

	if (!PyArg_ParseTuple(args, "y*", &buf))
		return NULL;
	sum = adler32lib_sum(buf.buf, (size_t)buf.len);
	PyBuffer_Release(&buf);
	return PyLong_FromUnsignedLong(sum);
}

static PyMethodDef methods[] = {
	{ "adler32", adler32, METH_VARARGS, "Adler-32 of a bytes-like object." },
	{ NULL, NULL, 0, NULL },
};

static struct PyModuleDef module = { PyModuleDef_HEAD_INIT, "adler", NULL, -1, methods };

PyMODINIT_FUNC PyInit_adler(void)
{
	return PyModule_Create(&module);
}
