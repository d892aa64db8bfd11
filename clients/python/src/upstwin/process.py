"""Starting the twin as its own process on free ports, and stopping it.

The binary is ``$UPSTWIN_BIN`` when set, else ``upstwin`` on the PATH. ``serve`` waits for
the ``ready`` line and hands back where everything is; leaving the ``with`` block (or
``stop()``) ends the process.
"""

import os
import re
import shutil
import signal
import subprocess
import threading

from .client import Twin
from .fleet import Fleet


class UpstwinError(Exception):
    """The binary is missing, or the twin stopped before it was ready (its output says why)."""


def binary():
    """The ``upstwin`` executable to run."""
    found = os.environ.get("UPSTWIN_BIN") or shutil.which("upstwin")
    if not found:
        raise UpstwinError("upstwin not found: set UPSTWIN_BIN or put upstwin on the PATH")
    return found


class Process:
    """A running upstwin process: ``fields`` (what its ready line said), stopped with
    ``stop()`` or by leaving its ``with`` block."""

    def __init__(self, process, fields):
        self.process = process
        self.fields = fields

    def stop(self, timeout_s=10.0):
        """Stops the process (SIGINT, then SIGKILL if it lingers)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class Served(Process):
    """A running ``upstwin serve`` (or demo): ``twin`` (its control API), ``fields`` (the
    ready line's ``key=value`` pairs: ``pty``, ``tcp``, ``control``…), ``pty`` and ``tcp``."""

    def __init__(self, process, fields, token=None):
        super().__init__(process, fields)
        self.twin = Twin(fields["control"], token=token)

    @property
    def pty(self):
        return self.fields.get("pty")

    @property
    def tcp(self):
        return self.fields.get("tcp")


class FleetServed(Process):
    """A running ``upstwin fleet``: ``fleet`` (its control API) and ``fields`` (the ready
    line's ``fleet``, ``devices``, ``fleet_devices``, ``first``, ``last``, ``cards``,
    ``control``)."""

    def __init__(self, process, fields, token=None):
        super().__init__(process, fields)
        self.fleet = Fleet(fields["control"], token=token)


def _start(arguments, ready, timeout_s):
    process = subprocess.Popen(
        [binary(), *arguments], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    lines = []
    found = {}

    def read():
        for line in process.stdout:
            lines.append(line)
            fields = ready(line)
            if fields is not None:
                found.update(fields)
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout_s)
    if not found:
        process.kill()
        _, errors = process.communicate()
        said = "".join(lines) + (errors or "")
        raise UpstwinError(f"upstwin {' '.join(arguments)} was not ready within {timeout_s} s: {said.strip()}")
    # Keep draining its output so a chatty twin never blocks on a full pipe (and nothing
    # of it is kept).
    for stream in (process.stdout, process.stderr):
        threading.Thread(target=_drain, args=(stream,), daemon=True).start()
    return process, found


def _drain(stream):
    for _ in stream:
        pass


def _ready_fields(line):
    """The ``key=value`` pairs of a ``ready …`` line; ``None`` for any other line."""
    if not line.startswith("ready "):
        return None
    return dict(pair.split("=", 1) for pair in line.split()[1:] if "=" in pair)


def serve(model="masterys-gp-60", pty=True, speed=None, load_pct=None, token=None, extra=(), timeout_s=30.0):
    """Starts ``upstwin serve`` for ``model`` on free loopback ports (Modbus TCP, the control
    API) and, with ``pty``, on a pseudo-terminal; returns a ``Served`` once it is ready."""
    arguments = ["serve", "--model", model, "--tcp", "127.0.0.1:0", "--control", "127.0.0.1:0"]
    if pty:
        arguments.append("--pty")
    if speed is not None:
        arguments += ["--speed", str(speed)]
    if load_pct is not None:
        arguments += ["--load-pct", str(load_pct)]
    if token:
        arguments += ["--token", token]
    arguments += list(extra)
    process, fields = _start(arguments, _ready_fields, timeout_s)
    return Served(process, fields, token=token)


def fleet(path=None, speed=None, token=None, shard=None, inventory=None, extra=(), timeout_s=120.0):
    """Starts ``upstwin fleet`` from the fleet file at ``path`` (the bundled campus of 300
    UPSs when ``None``) with its control API on a free loopback port; returns a
    ``FleetServed`` once every device answers. The devices' addresses and ports are the
    file's: two fleets at once need files with different ones. ``shard="K/N"`` serves one
    shard; ``inventory`` writes the CSV inventory there."""
    arguments = ["fleet"]
    if path is not None:
        arguments.append(str(path))
    arguments += ["--control", "127.0.0.1:0"]
    if speed is not None:
        arguments += ["--speed", str(speed)]
    if token:
        arguments += ["--token", token]
    if shard:
        arguments += ["--shard", shard]
    if inventory is not None:
        arguments += ["--inventory", str(inventory)]
    arguments += list(extra)
    process, fields = _start(arguments, _ready_fields, timeout_s)
    return FleetServed(process, fields, token=token)


def demo(model="masterys-gp-60", admin_password_file=None, state_dir=None, extra=(), timeout_s=60.0):
    """Starts the demo headless (the twin and the reference card) on free ports; returns a
    ``Served`` whose ``fields`` hold ``control``, ``card`` (the card's pages, HTTPS with the
    card's own certificate), ``card_api`` (its API over HTTP) and ``tcp``."""
    arguments = ["demo", "--headless", "--model", model]
    for option in ["--tcp", "--control", "--http", "--https"]:
        arguments += [option, "127.0.0.1:0"]
    if admin_password_file:
        arguments += ["--admin-password-file", str(admin_password_file)]
    if state_dir:
        arguments += ["--state-dir", str(state_dir)]
    arguments += list(extra)

    def ready(line):
        control = re.search(r"control API (http://[^/\s;]+)", line)
        if not line.startswith("demo:") or not control:
            return None
        card = re.search(r"card pages (https?://[^/\s;]+)", line)
        card_api = re.search(r"also on HTTP (http://[^/\s;]+)", line)
        tcp = re.search(r"Modbus TCP (\S+?),", line)
        return {
            "control": control.group(1),
            "card": card and card.group(1),
            "card_api": card_api and card_api.group(1),
            "tcp": tcp and tcp.group(1),
        }

    process, fields = _start(arguments, ready, timeout_s)
    return Served(process, fields)
