NAME = "placeholder"
