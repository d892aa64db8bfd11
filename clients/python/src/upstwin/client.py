"""The control API of a running twin (``upstwin serve --control``), as Python calls.

Every route of ``/api/openapi.json`` has a method here; a refusal raises ``ApiError`` with
the status and the twin's reason ("unknown fault `x`, did you mean ...").
"""

import json
import time
import urllib.error
import urllib.parse
import urllib.request


class ApiError(Exception):
    """The twin refused a request: ``status`` (400, 404, 409, 422) and its reason."""

    def __init__(self, status, reason):
        super().__init__(f"{status}: {reason}")
        self.status = status
        self.reason = reason


class Http:
    """An upstwin control API at ``url``, with its bearer ``token`` when it was started
    with one: JSON in, JSON out, refusals as ``ApiError`` (the twin's and the fleet's)."""

    def __init__(self, url, token=None, timeout_s=10.0):
        self.url = url.rstrip("/")
        if "://" not in self.url:
            self.url = "http://" + self.url
        self.token = token
        self.timeout_s = timeout_s

    def _call(self, method, path, body=None, query=None, raw=False):
        url = self.url + path
        if query:
            url += "?" + urllib.parse.urlencode(query)
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as answer:
                read = answer.read()
                return read.decode() if raw else json.loads(read or b"null")
        except urllib.error.HTTPError as refused:
            text = refused.read().decode(errors="replace")
            try:
                reason = json.loads(text).get("error", text)
            except ValueError:
                reason = text
            raise ApiError(refused.code, reason) from None

    def openapi(self):
        """The API's OpenAPI 3 document."""
        return self._call("GET", "/api/openapi.json")


class Twin(Http):
    """A twin's control API at ``url`` (``http://127.0.0.1:8700``), with its bearer
    ``token`` when it was started with one."""

    # Reading.

    def state(self):
        """The UPS now: ``time_s``, ``mode``, ``conditions``, ``measurements``, ``faults``."""
        return self._call("GET", "/api/state")

    def condition(self, name):
        """A firmware condition (``on_battery``, ``overload``, ``unit_present:2``)."""
        return self.state()["conditions"][name]

    def measurement(self, name, phase=None):
        """A measurement (``battery_charge_pct``, ``output_voltage_v`` with ``phase=1``)."""
        key = name if phase is None else f"{name}:{phase}"
        return self.state()["measurements"].get(key)

    def registers(self, address, count=1):
        """The register image as a Modbus read would see it; ``address`` may be ``0x1060``."""
        return self._call("GET", "/api/registers", query={"address": address, "count": count})["words"]

    def trace(self, count=100):
        """The newest frames on the twin's wire."""
        return self._call("GET", "/api/trace", query={"count": count})

    # Acting.

    def inject(self, name, **params):
        """Injects a UPS fault: ``inject("mains_sag", voltage_pct=70)``."""
        return self._call("POST", "/api/faults", {"name": name, "params": params})

    def clear(self, name):
        """Clears every fault of the kind."""
        return self._call("DELETE", f"/api/faults/{urllib.parse.quote(name)}")

    def inject_wire(self, name, **params):
        """Injects a wire fault: ``inject_wire("late_response", delay_ms=800, probability=0.3)``."""
        return self._call("POST", "/api/wire-faults", {"name": name, "params": params})

    def clear_wire(self, name):
        return self._call("DELETE", f"/api/wire-faults/{urllib.parse.quote(name)}")

    def command(self, name, **params):
        """Sends a firmware command: ``command("shutdown", delay_s=60, restart_delay_s=0)``."""
        return self._call("POST", "/api/commands", {"name": name, "params": params})

    def load(self, pct=None, phases_pct=None):
        """Sets the load: the whole (``pct``) or per phase (``phases_pct=[100, 50, 0]``)."""
        body = {"pct": pct} if phases_pct is None else {"phases_pct": list(phases_pct)}
        return self._call("POST", "/api/load", body)

    def wait_for(self, check, timeout_s=10.0, every_s=0.05):
        """Polls ``check(state)`` until it is true; the state that made it so, else
        ``TimeoutError`` with the last state."""
        deadline = time.monotonic() + timeout_s
        state = self.state()
        while not check(state):
            if time.monotonic() > deadline:
                raise TimeoutError(f"not within {timeout_s} s; last state: mode {state['mode']} at {state['time_s']:.1f} s")
            time.sleep(every_s)
            state = self.state()
        return state
