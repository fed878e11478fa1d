THEMES = {"plain": "\\u@\\h$ "}
