"""HTTP to the gateway: one request, its answer as JSON, or a CliError carrying the API's own
message (each API family's error envelope, gateway/families.py) as one line.

A 429 (rate limit, login throttling) is waited out as its Retry-After says, a few times; a request
that is safe to repeat (a read, or a write with an Idempotency-Key) may also be retried after a
lost connection or a 502/503/504.
"""
import time

import requests

from cli.errors import Refused, ServerError, Unreachable

TIMEOUT_SECONDS = 60
RATE_LIMIT_WAITS = 30  # 429s waited out per request (demo data meets the accounts API's 10/s)
LONGEST_WAIT_SECONDS = 60
UNAVAILABLE = (502, 503, 504)
RETRY_PAUSES = (0.5, 1.0, 2.0, 4.0)


def envelope_message(body):
    """The human part of an error body of any API family, or None."""
    if not isinstance(body, dict):
        return None
    if body.get("res") == "error":  # sales goals, accounts, directory
        return "{} (code {})".format(body.get("info"), body.get("code"))
    if body.get("result") is False:  # customer goals
        return "{} (errorCode {})".format(body.get("errorDesc") or body.get("message"), body.get("errorCode"))
    if isinstance(body.get("errors"), dict):  # deals
        return "; ".join("{}: {}".format(field, ", ".join(map(str, messages)) if isinstance(messages, list)
                                         else messages) for field, messages in body["errors"].items())
    if "statusCode" in body and body.get("message"):  # Boom (prospects, clients)
        return str(body["message"])
    if body.get("message"):
        return str(body["message"])
    return None


class Answer:
    """A successful answer: `status`, `headers`, `body` (decoded JSON, or None)."""

    def __init__(self, response):
        self.status, self.headers = response.status_code, response.headers
        self.body = decoded(response)


def decoded(response):
    try:
        return response.json()
    except ValueError:
        return None


class Client:
    def __init__(self, base_url, token=None, api_key=None, timeout=TIMEOUT_SECONDS, on_wait=None, when_refused=""):
        self.base_url = base_url.rstrip("/")
        self.token, self.api_key, self.timeout = token, api_key, timeout
        self.when_refused = when_refused  # added to a 401's message: what to do about the credentials
        self.on_wait = on_wait  # on_wait(seconds, why): tells the user why a command pauses
        self.http = requests.Session()

    def authenticated(self):
        return bool(self.token or self.api_key)

    def headers(self, extra=None):
        headers = {"Accept": "application/json", "User-Agent": "crm-cli"}
        if self.api_key:
            headers["X-apikey"] = self.api_key
        elif self.token:
            headers["Authorization"] = "Bearer " + self.token
        headers.update(extra or {})
        return headers

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, body=None, **kwargs):
        return self.request("POST", path, body, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("DELETE", path, **kwargs)

    def request(self, method, path, body=None, params=None, headers=None, retry=False, accept=()):
        """The answer of a 2xx (or a status in `accept`); else Refused, Unreachable or ServerError.
        `retry`: the request is safe to send again after a lost connection or a 502/503/504."""
        url = self.base_url + path
        pauses, waits = list(RETRY_PAUSES) if retry else [], 0
        while True:
            try:
                response = self.http.request(method, url, json=body, params=params, headers=self.headers(headers),
                                             timeout=self.timeout)
            except requests.ConnectionError as exc:
                if pauses:
                    time.sleep(pauses.pop(0))
                    continue
                raise Unreachable("cannot connect to {}: {} (is the system running? `make run` starts it)"
                                  .format(self.base_url, reason(exc)))
            except requests.Timeout:
                if pauses:
                    time.sleep(pauses.pop(0))
                    continue
                raise Unreachable("{} {} did not answer within {:.0f} s".format(method, path, self.timeout))
            if response.status_code == 429 and waits < RATE_LIMIT_WAITS:
                waits += 1
                self.wait(retry_after(response), "rate limited")
                continue
            if response.status_code in UNAVAILABLE and pauses:
                time.sleep(pauses.pop(0))
                continue
            if response.status_code < 300 or response.status_code in accept:
                return Answer(response)
            raise failure(method, path, response, self.when_refused if response.status_code == 401 else "")

    def wait(self, seconds, why):
        if self.on_wait:
            self.on_wait(seconds, why)
        time.sleep(seconds)


def retry_after(response):
    try:
        return min(max(float(response.headers.get("Retry-After", "1")), 0.1), LONGEST_WAIT_SECONDS)
    except ValueError:
        return 1.0


def reason(exc):
    text = str(exc)
    for known in ("Connection refused", "Name or service not known", "No route to host", "timed out"):
        if known in text:
            return known.lower()
    return text.split(": ")[-1][:200]


def failure(method, path, response, advice=""):
    body = decoded(response)
    message = envelope_message(body) or (response.reason or "no message")
    line = "{} (HTTP {} on {} {}){}".format(message, response.status_code, method, path, advice)
    if response.status_code in UNAVAILABLE:
        return Unreachable(line)
    if response.status_code >= 500:
        return ServerError(line)
    return Refused(line, response.status_code, body)
