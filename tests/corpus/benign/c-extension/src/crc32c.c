/* CRC-32C (Castagnoli), table driven. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

static uint32_t table[256];

static void make_table(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0x82f63b78u ^ (c >> 1) : c >> 1;
		table[i] = c;
	}
}

static PyObject *crc32c(PyObject *self, PyObject *args)
{
	Py_buffer buf;
	uint32_t crc = 0xffffffffu;

	if (!PyArg_ParseTuple(args, "y*", &buf))
		return NULL;
	for (Py_ssize_t i = 0; i < buf.len; i++)
		crc = table[(crc ^ ((const uint8_t *)buf.buf)[i]) & 0xff] ^ (crc >> 8);
	PyBuffer_Release(&buf);
	return PyLong_FromUnsignedLong(crc ^ 0xffffffffu);
}

static PyMethodDef methods[] = {
	{ "crc32c", crc32c, METH_VARARGS, "CRC-32C of a bytes-like object." },
	{ NULL, NULL, 0, NULL },
};

static struct PyModuleDef module = { PyModuleDef_HEAD_INIT, "crc32c_ext", NULL, -1, methods };

PyMODINIT_FUNC PyInit_crc32c_ext(void)
{
	make_table();
	return PyModule_Create(&module);
}
