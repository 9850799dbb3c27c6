"""RFC 9421 interop for motcua's transfer signatures, with PyPI's http-message-signatures.

Reads {"cases": [...]} as JSON on stdin; each case is either
  {"op": "verify", "alg", "key", "key_id", "method", "url", "headers": [[name, value]...], "body"}
    -> {"ok": bool, "error": str|null, "covered": [...]}
  {"op": "sign", "alg", "key", "key_id", "method", "url", "headers", "body", "covered": [...]}
    -> {"headers": {"signature-input", "signature", "content-digest"}}
Keys: Ed25519 as base64 of the 32-byte private seed (sign) or public key (verify); HMAC as the
shared key's text. Writes {"results": [...]} on stdout.
"""

import base64
import json
import sys

import requests
from cryptography.hazmat.primitives.asymmetric import ed25519
from http_message_signatures import (
    HTTPMessageSigner,
    HTTPMessageVerifier,
    HTTPSignatureKeyResolver,
    algorithms,
)


class Keys(HTTPSignatureKeyResolver):
    def __init__(self, alg, key_id, key):
        self.alg, self.key_id, self.key = alg, key_id, key

    def _check(self, key_id):
        if key_id != self.key_id:
            raise KeyError(key_id)

    def resolve_public_key(self, key_id):
        self._check(key_id)
        if self.alg == "ed25519":
            return ed25519.Ed25519PublicKey.from_public_bytes(base64.b64decode(self.key))
        return self.key.encode()

    def resolve_private_key(self, key_id):
        self._check(key_id)
        if self.alg == "ed25519":
            return ed25519.Ed25519PrivateKey.from_private_bytes(base64.b64decode(self.key))
        return self.key.encode()


def algorithm(name):
    return algorithms.ED25519 if name == "ed25519" else algorithms.HMAC_SHA256


def message(case):
    req = requests.Request(case["method"], case["url"], data=case["body"].encode()).prepare()
    for name in list(req.headers):
        del req.headers[name]
    for name, value in case["headers"]:
        req.headers[name] = value
    return req


def run(case):
    keys = Keys(case["alg"], case["key_id"], case["key"])
    msg = message(case)
    body = case["body"].encode()
    if case["op"] == "sign":
        signer = HTTPMessageSigner(signature_algorithm=algorithm(case["alg"]), key_resolver=keys)
        signer.sign(msg, key_id=case["key_id"], label="py", covered_component_ids=case["covered"], body=body)
        return {"headers": {k.lower(): v for k, v in msg.headers.items()}}
    verifier = HTTPMessageVerifier(signature_algorithm=algorithm(case["alg"]), key_resolver=keys)
    try:
        results = verifier.verify(
            msg, require_components=("@method", "@target-uri", "content-digest"), body=body
        )
        covered = [k.strip('"') for k in results[0].covered_components if k != '"@signature-params"']
        return {"ok": True, "error": None, "covered": covered}
    except Exception as e:  # the verdict is the point: report it
        return {"ok": False, "error": f"{type(e).__name__}: {e}", "covered": []}


def main():
    cases = json.load(sys.stdin)["cases"]
    json.dump({"results": [run(c) for c in cases]}, sys.stdout)


if __name__ == "__main__":
    main()
