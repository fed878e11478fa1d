def proxy_jump(*hosts):
    return ",".join(hosts)
