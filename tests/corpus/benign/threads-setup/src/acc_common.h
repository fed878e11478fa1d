/* Shared body of the three accelerator modules; each .c names itself. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#define STR_(x) #x
#define STR(x) STR_(x)

static struct PyModuleDef module = { PyModuleDef_HEAD_INIT, STR(ACC_NAME), NULL, -1, NULL };

PyMODINIT_FUNC ACC_INIT(void)
{
	return PyModule_Create(&module);
}
