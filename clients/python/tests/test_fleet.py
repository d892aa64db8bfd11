"""The fleet client and its fixture against the real binary: the bundled campus (300 UPSs
at 127.1.0.1… port 5020) fails by feed and site, each device answers Modbus TCP at its own
address, actions wait for their instant, refusals say why; a fleet file of one's own runs
behind a token."""

import datetime
import socket
import struct

import pytest

import upstwin


def modbus_read(host, port, address, count):
    """Holding registers as a Modbus TCP master reads them (function 03, unit 1)."""
    with socket.create_connection((host, port), timeout=10) as connection:
        connection.sendall(struct.pack(">HHHBBHH", 7, 0, 6, 1, 3, address, count))
        header = connection.recv(9, socket.MSG_WAITALL)
        assert header[7] == 3, f"exception {header[8]}"
        data = connection.recv(header[8], socket.MSG_WAITALL)
    return list(struct.unpack(f">{count}H", data))


def serial_of(words):
    """The serial number as the map stores it: two characters a word, low byte first."""
    return b"".join(struct.pack("<H", w) for w in words).rstrip(b"\0").decode()


def feed(summary, name):
    return next(f for f in summary["feeds"] if f["name"] == name)


def test_a_feed_fails_alone_and_each_device_answers_at_its_own_address(upstwin_fleet):
    fleet = upstwin_fleet.fleet
    summary = fleet.summary()
    assert summary["devices"] == 300 == int(upstwin_fleet.fields["devices"])
    offices = fleet.devices(feed="hq-offices")
    assert len(offices) == 40 and {d["feed"] for d in offices} == {"hq-offices"}
    for device in (offices[0], offices[-1]):
        words = modbus_read(device["address"], device["modbus_port"], 0x1003, 5)
        assert serial_of(words) == device["serial"]

    answer = fleet.inject("mains_blackout", feed="hq-offices")
    assert (answer["injected"], answer["devices"], answer["refused"]) == ("mains_blackout", 40, 0)
    failed = fleet.wait_for(lambda s: feed(s, "hq-offices")["on_battery"] == 40, timeout_s=30)
    assert failed["on_battery"] == 40, "no other feed is on battery"
    assert fleet.device(offices[0]["name"])["conditions"]["on_battery"] is True
    assert 'upstwin_fleet_on_battery{site="hq",feed="hq-offices"} 40' in fleet.metrics()

    assert fleet.clear("mains_blackout", feed="hq-offices")["devices"] == 40
    fleet.wait_for(lambda s: s["on_battery"] == 0, timeout_s=60)


def test_an_action_held_for_an_instant_runs_then_and_another_is_cancelled():
    with upstwin.fleet(speed=10) as served:
        fleet = served.fleet
        now = datetime.datetime.now(datetime.timezone.utc)
        held = fleet.inject("mains_blackout", site="branch", at=now + datetime.timedelta(seconds=8))["scheduled"]
        later = fleet.inject("mains_blackout", all=True, at=now + datetime.timedelta(hours=1))["scheduled"]
        assert {held["id"], later["id"]} == {e["id"] for e in fleet.scheduled()["pending"]}
        assert fleet.summary()["on_battery"] == 0, "nothing done before its instant"
        assert fleet.cancel(later["id"]) == {"cancelled": later["id"]}

        fleet.wait_for(lambda s: feed(s, "branch-utility")["on_battery"] == 40, timeout_s=30)
        ran = fleet.scheduled()
        assert ran["pending"] == []
        assert [(e["id"], e["devices"]) for e in ran["ran"]] == [(held["id"], 40)]
        assert fleet.summary()["on_battery"] == 40, "the hour-later action never ran"
        with pytest.raises(upstwin.ApiError) as refused:
            fleet.cancel(later["id"])
        assert refused.value.status == 404


def test_refusals_say_why():
    with upstwin.fleet(speed=10) as served:
        fleet = served.fleet
        with pytest.raises(upstwin.ApiError) as refused:
            fleet.inject("mains_blackout", feed="nowhere")
        assert (refused.value.status, refused.value.reason) == (404, "the fleet has no feed nowhere")
        with pytest.raises(upstwin.ApiError) as refused:
            fleet.inject("mains_blakout", site="hq")
        assert refused.value.status == 400 and "did you mean `mains_blackout`" in refused.value.reason
        with pytest.raises(upstwin.ApiError) as refused:
            fleet.command("shutdown", site="hq", feed="hq-utility")
        assert refused.value.status == 400, "one target at a time"
        with pytest.raises(upstwin.ApiError) as refused:
            fleet.device("hq-srv-999")
        assert refused.value.status == 404
        with pytest.raises(ValueError):
            fleet.inject("mains_blackout", all=True, at=datetime.datetime(2030, 1, 1))


def test_a_fleet_file_of_ones_own_behind_a_token(tmp_path):
    with socket.socket() as probe:
        probe.bind(("0.0.0.0", 0))
        port = probe.getsockname()[1]
    path = tmp_path / "lab.ron"
    path.write_text(
        f"""Fleet(name: "lab", addresses: Loopback(first: "127.45.0.1", modbus_port: {port}, listen: Shared),
            sites: [(name: "lab", feeds: [(name: "bench")],
                     groups: [(name: "g", feed: "bench", count: 3, model: "netys-pr-3k", serials: "LAB{{n:03}}")])])"""
    )
    inventory = tmp_path / "inventory.csv"
    with upstwin.fleet(path, token="lab-token", inventory=inventory) as served:
        assert served.fields["fleet"] == "lab" and served.fields["devices"] == "3"
        devices = served.fleet.devices()
        assert [(d["address"], d["serial"]) for d in devices] == [
            ("127.45.0.1", "LAB001"), ("127.45.0.2", "LAB002"), ("127.45.0.3", "LAB003")
        ]
        assert serial_of(modbus_read("127.45.0.2", port, 0x1003, 5)) == "LAB002"
        assert "LAB003" in inventory.read_text()
        stranger = upstwin.Fleet(served.fields["control"])
        with pytest.raises(upstwin.ApiError) as refused:
            stranger.summary()
        assert refused.value.status == 401
        assert "/api/fleet/faults" in stranger.openapi()["paths"], "the document needs no token"
