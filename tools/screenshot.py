"""Save a PNG of a page in headless Chromium through the DevTools protocol.

    python3 tools/screenshot.py URL OUT.png [WIDTH HEIGHT]

With SESSION_ID=... in the environment the page is opened with that Odoo
session cookie (a logged-in user's page). Needs the `chromium` package and
the `websocket-client` Python package.
"""

import base64
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket

PORT = 9333


def _send(ws, ident, method, **params):
    ws.send(json.dumps({"id": ident, "method": method, "params": params}))
    while True:
        answer = json.loads(ws.recv())
        if answer.get("id") == ident:
            return answer.get("result", {})


def main(url, out, width=1280, height=900):
    profile = tempfile.mkdtemp()
    browser = subprocess.Popen(
        [
            "chromium",
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            f"--remote-debugging-port={PORT}",
            f"--user-data-dir={profile}",
            f"--window-size={width},{height}",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _try in range(50):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/json") as page:
                    target = json.load(page)[0]
                break
            except OSError:
                time.sleep(0.2)
        ws = websocket.create_connection(target["webSocketDebuggerUrl"])
        _send(ws, 1, "Page.enable")
        if os.environ.get("SESSION_ID"):
            _send(ws, 4, "Network.enable")
            _send(
                ws,
                5,
                "Network.setCookie",
                name="session_id",
                value=os.environ["SESSION_ID"],
                url=url,
            )
        _send(ws, 2, "Page.navigate", url=url)
        time.sleep(4)  # the page and its assets
        shot = _send(ws, 3, "Page.captureScreenshot", format="png")
        with open(out, "wb") as png:
            png.write(base64.b64decode(shot["data"]))
        ws.close()
    finally:
        browser.terminate()
        browser.wait()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], *map(int, sys.argv[3:5]))
