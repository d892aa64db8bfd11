"""The client and its fixtures against the real binary ($UPSTWIN_BIN or upstwin on the PATH)."""

import pathlib

import pytest

import upstwin

REPO = pathlib.Path(__file__).resolve().parents[3]


def test_a_blackout_puts_the_twin_on_battery_and_clearing_brings_it_back(upstwin_twin):
    twin = upstwin_twin.twin
    assert upstwin_twin.pty.startswith("/dev/pts/")
    assert twin.state()["mode"] == "OnInverter"
    assert twin.inject("mains_blackout") == {"injected": "mains_blackout"}
    on_battery = twin.wait_for(lambda s: s["conditions"]["on_battery"])
    assert on_battery["measurements"]["input_voltage_v:1"] < 10
    assert twin.clear("mains_blackout")["cleared"] == "mains_blackout"
    twin.wait_for(lambda s: not s["conditions"]["on_battery"], timeout_s=20)


def test_refusals_say_why(upstwin_twin):
    twin = upstwin_twin.twin
    with pytest.raises(upstwin.ApiError) as refused:
        twin.inject("mains_blakout")
    assert refused.value.status == 400
    assert "did you mean `mains_blackout`" in refused.value.reason
    with pytest.raises(upstwin.ApiError) as refused:
        twin.inject("overload", load_pct=5000)
    assert refused.value.status == 400


def test_registers_read_as_a_modbus_master_would(upstwin_twin):
    twin = upstwin_twin.twin
    identification = twin.registers(0x1000, 4)
    assert identification == twin.registers("4096", 4)
    assert len(identification) == 4
    twin.load(pct=80)
    twin.wait_for(lambda s: abs(s["measurements"]["output_load_pct:1"] - 80) < 5)


@pytest.mark.upstwin_model("netys-pr-3k")
def test_the_model_marker_picks_the_model(upstwin_twin):
    assert upstwin_twin.twin.state()["measurements"]["output_voltage_v:1"] > 200
    measurements = upstwin_twin.twin.state()["measurements"]
    assert not any(name.endswith(":3") for name in measurements), "a single-phase UPS"


def test_several_twins_at_once(upstwin_serve):
    first, second = upstwin_serve(), upstwin_serve(model="itys-2k")
    assert first.tcp != second.tcp
    first.twin.inject("mains_blackout")
    first.twin.wait_for(lambda s: s["conditions"]["on_battery"])
    assert not second.twin.condition("on_battery")


def test_a_scenario_gives_its_verdicts(tmp_path):
    code, verdicts = upstwin.run_scenario(REPO / "scenarios/library/01-short-blackout.ron", out=tmp_path)
    assert code == 0
    assert verdicts and all(v.passed for v in verdicts), verdicts
    assert (tmp_path / "01-short-blackout" / "timeline.txt").exists()
    code, verdicts = upstwin.run_scenario(REPO / "tests/scenarios/wrong-expectation.ron")
    assert code == 1
    failed = [v for v in verdicts if not v.passed]
    assert len(failed) == 1 and failed[0].detail.startswith("held at 30.1 s")


def test_a_missing_binary_is_said(monkeypatch):
    monkeypatch.setenv("UPSTWIN_BIN", "")
    monkeypatch.setenv("PATH", "")
    with pytest.raises(upstwin.UpstwinError, match="upstwin not found"):
        upstwin.serve()


def test_the_api_document_is_served(upstwin_twin):
    document = upstwin_twin.twin.openapi()
    assert document["openapi"].startswith("3.")
    assert "/api/faults" in document["paths"]


def test_the_demo_fixture_serves_the_twin_and_the_card(upstwin_demo):
    assert upstwin_demo.fields["card"].startswith("https://127.0.0.1:")
    assert upstwin_demo.fields["card_api"].startswith("http://127.0.0.1:")
    upstwin_demo.twin.inject("mains_blackout")
    upstwin_demo.twin.wait_for(lambda s: s["conditions"]["on_battery"])
