import signal

NAMES = {s.value: s.name for s in signal.Signals}
