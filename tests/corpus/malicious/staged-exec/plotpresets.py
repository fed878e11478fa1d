PRESETS = {"paper": {"dpi": 300}}
