"""The hostile-input suite: what a careless user or a bad file can give, one table per area.

Every case must end in a clear message or a correct result with nothing lost.  The run
reports how many cases there are per area and how they ended, so the count is visible in
every CI log (`tests/hostile/test_<area>.py` is one area).
"""

from __future__ import annotations

from collections import Counter
from pathlib import PurePosixPath


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    """Print the hostile-input counts: cases per area, and how many ended well."""
    per_area: dict[str, Counter[str]] = {}
    for outcome in ("passed", "failed", "error", "skipped", "xfailed"):
        for report in terminalreporter.stats.get(outcome, []):
            nodeid = getattr(report, "nodeid", "")
            if "tests/hostile/" not in nodeid:
                continue
            if getattr(report, "when", "call") != "call" and outcome == "passed":
                continue
            area = PurePosixPath(nodeid.split("::")[0]).stem.removeprefix("test_")
            per_area.setdefault(area, Counter())[outcome] += 1
    if not per_area:
        return
    terminalreporter.section("hostile input")
    total: Counter[str] = Counter()
    for area in sorted(per_area):
        counts = per_area[area]
        total.update(counts)
        terminalreporter.write_line(
            f"{area:<24} {sum(counts.values()):>4} cases: "
            + ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
        )
    terminalreporter.write_line(
        f"{'all':<24} {sum(total.values()):>4} cases: "
        + ", ".join(f"{n} {k}" for k, n in sorted(total.items()))
    )
