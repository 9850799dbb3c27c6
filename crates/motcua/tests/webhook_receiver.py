"""A webhook subscriber for motcua's tests: verifies every delivery with the Standard Webhooks
reference library for Python (PyPI `standardwebhooks`), not with motcua's own code, and
appends one JSON line per request to a log file.

    python3 webhook_receiver.py PORT LOG SECRET MODE

MODE: `ok` (204 after verifying), `fail` (500 after verifying), `slow:SECONDS` (verifies, waits,
then 204). A request whose signature does not verify is answered 400 and logged with
`"verified": false`.
"""

import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

PORT, LOG, SECRET, MODE = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
HOOK = Webhook(SECRET)


def log(entry):
    with open(LOG, "a", encoding="utf-8") as f:
        f.write(json.dumps(entry, ensure_ascii=False) + "\n")


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        headers = {k: v for k, v in self.headers.items()}
        entry = {
            "id": headers.get("webhook-id") or headers.get("Webhook-Id"),
            "mode": MODE,
            "content_type": self.headers.get("content-type"),
        }
        try:
            event = HOOK.verify(body, headers)
        except WebhookVerificationError as e:
            entry.update(verified=False, error=str(e))
            log(entry)
            self.send_response(400)
            self.end_headers()
            return
        entry.update(verified=True, event=event)
        if MODE.startswith("slow:"):
            entry["answered"] = "late"
            log(entry)
            time.sleep(float(MODE.split(":", 1)[1]))
            self.send_response(204)
            self.end_headers()
            return
        status = 500 if MODE == "fail" else 204
        entry["answered"] = status
        log(entry)
        self.send_response(status)
        self.end_headers()


ThreadingHTTPServer.allow_reuse_address = True
ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
