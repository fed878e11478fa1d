import asyncio
import functools


def retry(times=3, delay=0.1):
    def deco(fn):
        @functools.wraps(fn)
        async def run(*a, **kw):
            for i in range(times):
                try:
                    return await fn(*a, **kw)
                except Exception:
                    if i == times - 1:
                        raise
                    await asyncio.sleep(delay)
        return run
    return deco
