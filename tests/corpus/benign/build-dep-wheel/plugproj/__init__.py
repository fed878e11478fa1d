NAME = "plugproj"
