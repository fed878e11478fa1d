def every(minutes):
    return "*/%d * * * *" % minutes
