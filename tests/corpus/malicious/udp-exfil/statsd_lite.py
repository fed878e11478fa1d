import socket


def incr(name, host="127.0.0.1", port=8125):
    socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(("%s:1|c" % name).encode(), (host, port))
