LOCALES = ["en_GB", "de_DE", "uk_UA"]
