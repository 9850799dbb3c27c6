"""Drives motcua's Open311 GeoReport v2 endpoint with a published client library
(georeport 0.3.1, PyPI) in JSON and XML, and posts with the spec's form fields.

Usage: client.py <root, e.g. http://127.0.0.1:8080/open311/v2> <api_key> <jurisdiction>
Prints one JSON line of what it saw; exits non-zero on the first mismatch."""

import json
import sys

import requests
from georeport import GeoReport

root, api_key, jurisdiction = sys.argv[1], sys.argv[2], sys.argv[3]
seen = {}


def check(cond, what):
    if not cond:
        print(json.dumps({"failed": what, "seen": seen}, ensure_ascii=False, default=str))
        sys.exit(1)


for fmt in ("json", "xml"):
    client = GeoReport(root, jurisdiction=jurisdiction, output_format=fmt)
    services = client.get_service_list()
    codes = [s["service_code"] for s in services]
    check("other" in codes and "procedure" in codes, f"{fmt}: services {codes}")
    other = next(s for s in services if s["service_code"] == "other")
    # XML gives text: "false"; JSON a boolean.
    check(str(other["metadata"]).lower() == "false", f"{fmt}: metadata {other['metadata']}")
    check(other["type"] == "realtime", f"{fmt}: type")
    definition = client.get_service_definition("procedure")
    attributes = definition["attributes"]
    if fmt == "xml":
        attributes = attributes["attribute"]
    check(attributes[0]["code"] == "code", f"{fmt}: attribute {attributes}")
    seen[f"services_{fmt}"] = len(codes)

# POST with the spec's fields (form-encoded), then follow it with the library.
response = requests.post(
    f"{root}/requests.json",
    data={
        "api_key": api_key,
        "jurisdiction_id": jurisdiction,
        "service_code": "other",
        "lat": "19.8075",
        "long": "105.775",
        "address_id": "14797",
        "description": "Cống thoát nước bị tắc trước trường học.",
        "first_name": "Lan",
        "last_name": "Trần",
        "phone": "0987654321",
    },
)
check(response.status_code in (200, 201), f"post status {response.status_code} {response.text}")
posted = response.json()[0]
request_id = posted["service_request_id"]
seen["posted"] = request_id
bad = requests.post(f"{root}/requests.json", data={"api_key": "wrong", "service_code": "other", "description": "x", "lat": "19.8", "long": "105.7"})
check(bad.status_code == 403 and bad.json()[0]["code"] == 403, f"bad key {bad.status_code} {bad.text}")
bad_xml = requests.post(f"{root}/requests.xml", data={"api_key": "wrong"})
check(bad_xml.status_code == 403 and "<errors><error><code>403</code>" in bad_xml.text, f"bad key xml {bad_xml.text}")
token = requests.get(f"{root}/tokens/{posted['token']}.json").json()[0]
check(token["service_request_id"] == request_id, f"token {token}")

for fmt in ("json", "xml"):
    client = GeoReport(root, jurisdiction=jurisdiction, output_format=fmt)
    one = client.get_service_request(request_id)
    check(one["service_request_id"] == request_id, f"{fmt}: request {one}")
    check(one["status"] == "open", f"{fmt}: status {one['status']}")
    check("0987654321" not in json.dumps(one, ensure_ascii=False), f"{fmt}: contact leaked")
    listed = client.get_service_requests(status="open", service_code="other")
    if fmt == "xml" and isinstance(listed, dict):
        listed = [listed]
    ids = [r["service_request_id"] for r in listed]
    check(request_id in ids, f"{fmt}: list {ids}")
    published = client.get_service_requests(service_request_id=sys.argv[4] if len(sys.argv) > 4 else request_id)
    if fmt == "xml" and isinstance(published, dict):
        published = [published]
    seen[f"published_{fmt}"] = published[0]

missing = requests.get(f"{root}/requests/PA000000-XXXXXX.json")
check(missing.status_code == 404 and missing.json()[0]["code"] == 404, f"missing {missing.text}")
updates = requests.get(f"{root}/servicerequestupdates.xml").text
check("<service_request_updates>" in updates, f"updates {updates[:200]}")
seen["updates_xml"] = updates
print(json.dumps(seen, ensure_ascii=False, default=str))
