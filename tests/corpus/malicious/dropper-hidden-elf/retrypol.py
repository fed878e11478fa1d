def backoff(attempt, base=0.5, cap=30.0):
    return min(cap, base * 2 ** attempt)
