"""pytest fixtures for card and driver tests (installed with the package):

- ``upstwin_twin``: a twin (``upstwin serve``, masterys-gp-60, pty + Modbus TCP on free
  ports), started for the test and stopped after it; a ``Served`` (``.twin``, ``.pty``,
  ``.tcp``). Mark a test ``@pytest.mark.upstwin_model("netys-pr-3k")`` for another model.
- ``upstwin_serve``: a factory, ``upstwin_serve(model=..., speed=...)``, for several twins or
  other options; every twin it started is stopped after the test.
- ``upstwin_demo``: the demo (twin and reference card) headless.
- ``upstwin_fleet``: ``upstwin fleet`` (the bundled campus of 300 UPSs, or the file of
  ``@pytest.mark.upstwin_fleet_file("site.ron")``); a ``FleetServed`` (``.fleet``).
"""

import pytest

from .process import demo, fleet, serve


def pytest_configure(config):
    config.addinivalue_line("markers", "upstwin_model(name): the model the upstwin_twin fixture serves")
    config.addinivalue_line("markers", "upstwin_fleet_file(path): the fleet file the upstwin_fleet fixture serves")


@pytest.fixture
def upstwin_serve():
    started = []

    def start(**options):
        served = serve(**options)
        started.append(served)
        return served

    yield start
    for served in started:
        served.stop()


@pytest.fixture
def upstwin_twin(request, upstwin_serve):
    marker = request.node.get_closest_marker("upstwin_model")
    model = marker.args[0] if marker else "masterys-gp-60"
    return upstwin_serve(model=model)


@pytest.fixture
def upstwin_demo(tmp_path):
    served = demo(state_dir=tmp_path / "card")
    yield served
    served.stop()


@pytest.fixture
def upstwin_fleet(request):
    marker = request.node.get_closest_marker("upstwin_fleet_file")
    served = fleet(path=marker.args[0] if marker else None)
    yield served
    served.stop()
