FACTORS = {("m", "ft"): 3.28084}
