# Source of _kernels.c (translated before release; the sdist ships the C).
def add_0(double a, double b):
    return (a + b) * 1.0 + 0.0
# ... add_N, sub_N, mul_N for N < 40
