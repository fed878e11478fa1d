import time

def timed(fn):
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t
