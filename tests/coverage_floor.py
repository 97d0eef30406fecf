"""The coverage floor per app: ``python -m tests.coverage_floor`` after a run with
``--cov`` (``make coverage``). Prints each app's line coverage and fails when one is
below ``COVERAGE_FLOOR`` (default 90 %). Migrations and the demo data are left out
(``[tool.coverage.run] omit`` in pyproject.toml); ``jinhu`` is held to the same floor.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import coverage

ROOT = Path(__file__).resolve().parents[1]
APPS = (
    "villages",
    "attendance",
    "collective_economy",
    "demonstration_belt",
    "operations",
    "notifications",
    "jinhu",
)


def per_app(data: coverage.CoverageData, cov: coverage.Coverage) -> dict[str, tuple[int, int]]:
    """{app: (lines run, lines measured)}."""
    totals = dict.fromkeys(APPS, (0, 0))
    for filename in data.measured_files():
        relative = Path(filename).resolve().relative_to(ROOT)
        app = relative.parts[0]
        if app not in totals:
            continue
        _name, statements, _excluded, missing, _text = cov.analysis2(filename)
        run, measured = totals[app]
        totals[app] = (run + len(statements) - len(missing), measured + len(statements))
    return totals


def main() -> int:
    floor = float(os.environ.get("COVERAGE_FLOOR", "90"))
    cov = coverage.Coverage(
        data_file=str(ROOT / ".coverage"), config_file=str(ROOT / "pyproject.toml")
    )
    cov.load()
    data = cov.get_data()
    if not data.measured_files():
        print("coverage: no data (run the suite with --cov first: make coverage)", file=sys.stderr)
        return 1
    below = []
    print(f"{'app':<22}{'lines':>8}{'run':>8}{'cover':>9}")
    for app, (run, measured) in per_app(data, cov).items():
        percent = 100.0 * run / measured if measured else 100.0
        print(f"{app:<22}{measured:>8}{run:>8}{percent:>8.1f}%")
        if percent < floor:
            below.append(f"{app} {percent:.1f} %")
    if below:
        print(f"coverage below the floor of {floor:.0f} %: {', '.join(below)}", file=sys.stderr)
        return 1
    print(f"every app at or above {floor:.0f} % of lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
