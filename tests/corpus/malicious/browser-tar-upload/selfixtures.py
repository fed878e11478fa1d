def chrome_options(headless=True):
    return ["--headless"] if headless else []
