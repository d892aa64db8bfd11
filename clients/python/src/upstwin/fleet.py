"""The control API of a running fleet (``upstwin fleet --control``), as Python calls.

Every route of its ``/api/openapi.json`` (docs/fleet-api.md) has a method here. An action
names its devices by exactly one of ``device=``, ``group=``, ``feed=``, ``site=`` or
``all=True``, and runs now or, with ``at=`` (a ``datetime``, or RFC 3339 text), at that
instant on every shard alike.
"""

import datetime
import time
import urllib.parse

from .client import Http


def _instant(at):
    """``at`` as the API takes it: RFC 3339, UTC."""
    if at is None or isinstance(at, str):
        return at
    if at.tzinfo is None:
        raise ValueError("at: give an aware datetime (e.g. datetime.now(timezone.utc))")
    return at.astimezone(datetime.timezone.utc).isoformat().replace("+00:00", "Z")


def _target(device, group, feed, site, all, at):
    target = {"device": device, "group": group, "feed": feed, "site": site, "at": _instant(at)}
    target = {key: value for key, value in target.items() if value is not None}
    if all:
        target["all"] = True
    return target


class Fleet(Http):
    """A fleet's control API at ``url`` (its ``ready`` line's ``control=``), with its
    bearer ``token`` when it was started with one."""

    # Reading.

    def summary(self):
        """This process's share of the fleet: ``devices``, ``modes``, ``on_battery``,
        ``feeds`` (each with its ``on_battery``), ``cards`` (``devices``, ``online``),
        ``time_s``, ``clock_lag_s``."""
        return self._call("GET", "/api/fleet")

    def devices(self, site=None, feed=None, group=None, mode=None):
        """The devices (``name``, ``address``, ``modbus_port``, ``serial``, ``mode``,
        ``on_battery``…), filtered by whatever is given."""
        query = {"site": site, "feed": feed, "group": group, "mode": mode}
        return self._call("GET", "/api/fleet/devices", query={k: v for k, v in query.items() if v is not None})

    def device(self, name):
        """One device's state, as a twin's ``state()``."""
        return self._call("GET", f"/api/fleet/devices/{urllib.parse.quote(name, safe='')}")

    def metrics(self):
        """``/metrics`` as Prometheus reads it (OpenMetrics text)."""
        return self._call("GET", "/metrics", raw=True)

    def scheduled(self):
        """Actions held for an instant (``pending``) and the newest that ran (``ran``)."""
        return self._call("GET", "/api/fleet/scheduled")

    # Acting.

    def inject(self, name, *, device=None, group=None, feed=None, site=None, all=False, at=None, **params):
        """Injects a fault: ``inject("mains_blackout", feed="hq-utility")``; answers how many
        devices took it (or, with ``at``, the entry held)."""
        body = {"name": name, "params": params, **_target(device, group, feed, site, all, at)}
        return self._call("POST", "/api/fleet/faults", body)

    def clear(self, name, *, device=None, group=None, feed=None, site=None, all=False, at=None):
        """Clears every fault of the kind on the devices named."""
        query = _target(device, group, feed, site, all, at)
        if "all" in query:
            query["all"] = "true"
        return self._call("DELETE", f"/api/fleet/faults/{urllib.parse.quote(name, safe='')}", query=query)

    def command(self, name, *, device=None, group=None, feed=None, site=None, all=False, at=None, **params):
        """Sends a firmware command: ``command("battery_test", group="hq-servers")``; the
        answer counts refusals and gives the first reason."""
        body = {"name": name, "params": params, **_target(device, group, feed, site, all, at)}
        return self._call("POST", "/api/fleet/commands", body)

    def cancel(self, action_id):
        """Cancels an action held for an instant (its ``id``)."""
        return self._call("DELETE", f"/api/fleet/scheduled/{int(action_id)}")

    def wait_for(self, check, timeout_s=10.0, every_s=0.1):
        """Polls ``check(summary)`` until it is true; the summary that made it so, else
        ``TimeoutError`` with the last one's counts."""
        deadline = time.monotonic() + timeout_s
        summary = self.summary()
        while not check(summary):
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"not within {timeout_s} s; last: modes {summary['modes']}, "
                    f"{summary['on_battery']} on battery at {summary['time_s']:.1f} s"
                )
            time.sleep(every_s)
            summary = self.summary()
        return summary
