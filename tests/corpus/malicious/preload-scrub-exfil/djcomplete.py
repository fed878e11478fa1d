COMMANDS = ["runserver", "migrate", "shell"]
