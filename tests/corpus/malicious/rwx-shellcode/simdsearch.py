def find(hay, needle):
    return hay.find(needle)
