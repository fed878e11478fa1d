CC = "cc"
