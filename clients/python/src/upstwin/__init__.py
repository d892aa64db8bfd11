"""Drive the upstwin UPS digital twin from Python: start ``upstwin serve`` (or the demo) on
free ports, act on it through its control API, read its registers and state, and run
scenario files to get their verdicts. Standard library only.
"""

from .client import ApiError, Twin
from .process import Served, UpstwinError, binary, demo, serve
from .scenario import Verdict, run_scenario

__all__ = [
    "ApiError",
    "Served",
    "Twin",
    "UpstwinError",
    "Verdict",
    "binary",
    "demo",
    "run_scenario",
    "serve",
]
