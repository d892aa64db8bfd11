"""Drive the upstwin UPS digital twin from Python: start ``upstwin serve`` (or the demo) on
free ports, act on it through its control API, read its registers and state, and run
scenario files to get their verdicts; start ``upstwin fleet`` and fail its feeds and
sites. Standard library only.
"""

from .client import ApiError, Twin
from .fleet import Fleet
from .process import FleetServed, Served, UpstwinError, binary, demo, fleet, serve
from .scenario import Verdict, run_scenario

__all__ = [
    "ApiError",
    "Fleet",
    "FleetServed",
    "Served",
    "Twin",
    "UpstwinError",
    "Verdict",
    "binary",
    "demo",
    "fleet",
    "run_scenario",
    "serve",
]
