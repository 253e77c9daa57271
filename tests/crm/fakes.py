"""Salesforce and HubSpot as `responses` callbacks speaking their real wire formats.

Shapes follow the vendors' documentation: Salesforce REST query results
({"totalSize", "done", "records": [{"attributes": {...}, ...}]}), sobject PATCH
(204, empty body), error arrays ([{"message", "errorCode", "fields"}]) and the
SOAP login envelope; HubSpot CRM v3 objects ({"id", "properties", "createdAt",
"updatedAt", "archived"}), search results ({"total", "results"}), batch read
({"status", "results", ...}), owners, and error bodies ({"status": "error",
"message", "correlationId", "category"}).
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import responses

SF_VERSION = "59.0"
SF_HOST = "acme.my.salesforce.com"
SF_DATA = f"https://{SF_HOST}/services/data/v{SF_VERSION}"
SF_LOGIN_URL = f"https://login.salesforce.com/services/Soap/u/{SF_VERSION}"


def sf_login_ok(session_id: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"
 xmlns="urn:partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<soapenv:Body><loginResponse><result>
<metadataServerUrl>https://{SF_HOST}/services/Soap/m/{SF_VERSION}/00D5g000004Ab1C</metadataServerUrl>
<passwordExpired>false</passwordExpired><sandbox>false</sandbox>
<serverUrl>https://{SF_HOST}/services/Soap/u/{SF_VERSION}/00D5g000004Ab1C</serverUrl>
<sessionId>{session_id}</sessionId><userId>0055g00000AbCdEAAV</userId>
<userInfo><organizationId>00D5g000004Ab1CEAS</organizationId>
<userEmail>integration@acme.com</userEmail></userInfo>
</result></loginResponse></soapenv:Body></soapenv:Envelope>"""


SF_LOGIN_FAULT = """<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"
 xmlns:sf="urn:fault.partner.soap.sforce.com"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<soapenv:Body><soapenv:Fault><faultcode>sf:INVALID_LOGIN</faultcode>
<faultstring>INVALID_LOGIN: Invalid username, password, security token; or user locked out.
</faultstring>
<detail><sf:LoginFault xsi:type="sf:LoginFault"><sf:exceptionCode>INVALID_LOGIN</sf:exceptionCode>
<sf:exceptionMessage>Invalid username, password, security token; or user locked out.
</sf:exceptionMessage>
</sf:LoginFault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>"""


def sf_attributes(sobject: str, record_id: str) -> dict:
    return {"type": sobject, "url": f"/services/data/v{SF_VERSION}/sobjects/{sobject}/{record_id}"}


def sf_user_ref(user_id: str, email: str | None) -> dict:
    return {"attributes": sf_attributes("User", user_id), "Email": email}


def sf_query_result(records: list[dict]) -> dict:
    return {"totalSize": len(records), "done": True, "records": records}


def sf_error(code: str, message: str, fields=None) -> list[dict]:
    return [{"message": message, "errorCode": code, "fields": fields or []}]


class FakeSalesforce:
    """Answers SOQL by the object queried (FROM Contact / Lead / Account / ...).

    `records[sobject]` is what a query on that object returns; `failures` is a
    queue of (status, body) or exceptions answered before any normal answer. Every query and
    PATCH is kept in `queries` / `patches`.
    """

    def __init__(self, rsps: responses.RequestsMock, session_ids=("00D!SESSION1", "00D!SESSION2")):
        self.rsps = rsps
        self.records: dict[str, list[dict]] = {}
        self.failures: list[tuple[int, object]] = []
        self.queries: list[str] = []
        self.patches: list[tuple[str, str, dict, str]] = []  # sobject, id, body, auth
        self.auth_headers: list[str] = []
        self.session_ids = list(session_ids)
        self.logins = 0
        self.valid_sessions: set[str] | None = None  # None: any session is valid
        rsps.add_callback(responses.POST, SF_LOGIN_URL, callback=self._login)
        rsps.add_callback(
            responses.GET, re.compile(rf"{re.escape(SF_DATA)}/query/.*"), callback=self._query
        )
        rsps.add_callback(
            responses.PATCH,
            re.compile(rf"{re.escape(SF_DATA)}/sobjects/\w+/\w+"),
            callback=self._patch,
        )

    def _login(self, request):
        session_id = self.session_ids[min(self.logins, len(self.session_ids) - 1)]
        self.logins += 1
        return 200, {"Content-Type": "text/xml"}, sf_login_ok(session_id)

    def _auth_failure(self, request):
        auth = request.headers.get("Authorization", "")
        self.auth_headers.append(auth)
        if (
            self.valid_sessions is not None
            and auth.removeprefix("Bearer ") not in self.valid_sessions
        ):
            body = sf_error("INVALID_SESSION_ID", "Session expired or invalid")
            return 401, {"Content-Type": "application/json"}, json.dumps(body)
        if self.failures:
            failure = self.failures.pop(0)
            if isinstance(failure, Exception):
                return failure  # responses raises it, as requests would
            status, body = failure
            return status, {"Content-Type": "application/json"}, json.dumps(body)
        return None

    def _query(self, request):
        failure = self._auth_failure(request)
        soql = parse_qs(urlsplit(request.url).query)["q"][0]
        self.queries.append(soql)
        if failure:
            return failure
        sobject = re.search(r"\bFROM\s+(\w+)", soql).group(1)
        records = self.records.get(sobject, [])
        headers = {"Content-Type": "application/json", "Sforce-Limit-Info": "api-usage=25/15000"}
        return 200, headers, json.dumps(sf_query_result(records))

    def _patch(self, request):
        failure = self._auth_failure(request)
        parts = urlsplit(request.url).path.rstrip("/").split("/")
        self.patches.append(
            (parts[-2], parts[-1], json.loads(request.body), request.headers.get("Authorization"))
        )
        if failure:
            return failure
        return 204, {}, ""


# ---------------------------------------------------------------------------- HubSpot

HS = "https://api.hubapi.com"
RATE_HEADERS = {
    "X-HubSpot-RateLimit-Daily": "250000",
    "X-HubSpot-RateLimit-Daily-Remaining": "249000",
    "X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
    "X-HubSpot-RateLimit-Max": "100",
    "X-HubSpot-RateLimit-Remaining": "99",
    "X-HubSpot-RateLimit-Secondly": "10",
    "X-HubSpot-RateLimit-Secondly-Remaining": "9",
}


def hs_object(object_id: str, properties: dict, associations: dict | None = None) -> dict:
    obj = {
        "id": object_id,
        "properties": {
            "createdate": "2025-03-02T10:15:00.000Z",
            "hs_lastmodifieddate": "2026-01-05T08:00:00.000Z",
            "hs_object_id": object_id,
            **properties,
        },
        "createdAt": "2025-03-02T10:15:00.000Z",
        "updatedAt": "2026-01-05T08:00:00.000Z",
        "archived": False,
    }
    if associations:
        obj["associations"] = {
            kind: {"results": [{"id": i, "type": type_} for i in ids]}
            for kind, (type_, ids) in associations.items()
        }
    return obj


def hs_owner(owner_id: str, email: str) -> dict:
    return {
        "id": owner_id,
        "email": email,
        "type": "PERSON",
        "firstName": "Sam",
        "lastName": "Seller",
        "userId": 9140001,
        "userIdIncludingInactive": 9140001,
        "createdAt": "2024-05-01T09:00:00.000Z",
        "updatedAt": "2025-11-01T09:00:00.000Z",
        "archived": False,
        "teams": [{"id": "3001", "name": "EMEA", "primary": True}],
    }


def hs_error(status: int, category: str, message: str) -> dict:
    return {
        "status": "error",
        "message": message,
        "correlationId": "5f3c8e2a-1b7d-4c1e-9a59-0d2d7f8b9e10",
        "category": category,
    }
