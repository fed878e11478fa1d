from vecmath._kernels import add_0, mul_0, sub_0  # noqa: F401
