def flops(n, t): return n / t
