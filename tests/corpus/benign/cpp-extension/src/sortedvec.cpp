// Median of a list of floats, computed with the C++ standard library.
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <algorithm>
#include <vector>

static PyObject *median(PyObject *, PyObject *args)
{
	PyObject *seq;

	if (!PyArg_ParseTuple(args, "O", &seq))
		return nullptr;
	PyObject *fast = PySequence_Fast(seq, "expected a sequence");
	if (!fast)
		return nullptr;
	std::vector<double> v;
	Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
	v.reserve(static_cast<size_t>(n));
	for (Py_ssize_t i = 0; i < n; i++) {
		double d = PyFloat_AsDouble(PySequence_Fast_GET_ITEM(fast, i));
		if (d == -1.0 && PyErr_Occurred()) {
			Py_DECREF(fast);
			return nullptr;
		}
		v.push_back(d);
	}
	Py_DECREF(fast);
	if (v.empty())
		Py_RETURN_NONE;
	auto mid = v.begin() + static_cast<long>(v.size() / 2);
	std::nth_element(v.begin(), mid, v.end());
	return PyFloat_FromDouble(*mid);
}

static PyMethodDef methods[] = {
	{ "median", median, METH_VARARGS, "Median of a sequence of numbers." },
	{ nullptr, nullptr, 0, nullptr },
};

static PyModuleDef module = { PyModuleDef_HEAD_INIT, "sortedvec", nullptr, -1, methods };

PyMODINIT_FUNC PyInit_sortedvec(void)
{
	return PyModule_Create(&module);
}
