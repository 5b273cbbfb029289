"""Creates a container on azurite (object_store cannot): SharedKey with the emulator's
well-known account key. Prints the HTTP status: 201 created, 409 already there.

Usage: az_mkcontainer.py PORT NAME
"""

import base64
import email.utils
import hashlib
import hmac
import sys
import urllib.error
import urllib.request

port, name = int(sys.argv[1]), sys.argv[2]
account = "devstoreaccount1"
key = base64.b64decode(
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)
date, version = email.utils.formatdate(usegmt=True), "2021-08-06"
to_sign = (
    "PUT\n" + "\n" * 11 + f"x-ms-date:{date}\nx-ms-version:{version}\n"
    f"/{account}/{account}/{name}\nrestype:container"
)
signature = base64.b64encode(hmac.new(key, to_sign.encode(), hashlib.sha256).digest()).decode()
# data=None: with b"" urllib adds a Content-Type header, which the signature does not cover.
request = urllib.request.Request(
    f"http://127.0.0.1:{port}/{account}/{name}?restype=container",
    method="PUT",
    data=None,
    headers={
        "x-ms-date": date,
        "x-ms-version": version,
        "Content-Length": "0",
        "Authorization": f"SharedKey {account}:{signature}",
    },
)
try:
    print(urllib.request.urlopen(request).status)
except urllib.error.HTTPError as e:
    print(e.code)
    sys.exit(0 if e.code == 409 else 1)
