"""Running scenario files with ``upstwin run`` and reading their verdicts (from the JUnit
file the run writes, so errored and skipped cases come back too)."""

import os
import subprocess
import tempfile
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass

from .process import binary


@dataclass
class Verdict:
    """One expectation's outcome: ``scenario``, ``label``, ``passed``, and ``detail`` (what was
    seen, for a failure); ``skipped`` and ``error`` for a scenario not judged."""

    scenario: str
    label: str
    passed: bool
    detail: str = ""
    skipped: bool = False
    error: bool = False


def run_scenario(path, card="none", seed=None, out=None, timeout_s=600):
    """Runs ``upstwin run PATH --card CARD`` and returns ``(exit_code, verdicts)``; ``out`` keeps
    the artefacts (trace.csv, timeline.txt, report.html) in that directory."""
    with tempfile.TemporaryDirectory(prefix="upstwin-py-") as scratch:
        junit = os.path.join(scratch, "junit.xml")
        arguments = [binary(), "run", str(path), "--card", card, "--junit", junit]
        if seed is not None:
            arguments += ["--seed", str(seed)]
        if out is not None:
            arguments += ["--out", str(out)]
        finished = subprocess.run(arguments, capture_output=True, text=True, timeout=timeout_s)
        if not os.path.exists(junit):
            raise RuntimeError(f"upstwin run wrote no results: {finished.stderr.strip()}")
        return finished.returncode, _verdicts(junit)


def _verdicts(junit):
    verdicts = []
    for case in ElementTree.parse(junit).getroot().iter("testcase"):
        scenario, label = case.get("classname", ""), case.get("name", "")
        failure, error, skipped = case.find("failure"), case.find("error"), case.find("skipped")
        if skipped is not None:
            verdicts.append(Verdict(scenario, label, False, skipped.get("message", ""), skipped=True))
        elif error is not None:
            verdicts.append(Verdict(scenario, label, False, error.get("message", ""), error=True))
        elif failure is not None:
            verdicts.append(Verdict(scenario, label, False, failure.get("message", "")))
        else:
            verdicts.append(Verdict(scenario, label, True))
    return verdicts
