THEMES = ["dusk", "paper"]
