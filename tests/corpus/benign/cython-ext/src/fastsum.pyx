# cython: language_level=3
"""Sum of squares, typed for speed."""


def sum_squares(long n):
    cdef long i
    cdef long long total = 0
    for i in range(n):
        total += i * i
    return total
