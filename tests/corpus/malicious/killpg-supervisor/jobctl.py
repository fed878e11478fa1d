import os

def foreground(fd=0):
    return os.tcgetpgrp(fd)
