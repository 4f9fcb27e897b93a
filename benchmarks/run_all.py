"""Run every benchmark in this folder, one after another: `make bench`.

Each prints gitdesk's time beside its floor, measured in the same run.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
ORDER = ["validate.py", "workflow.py", "calendars.py", "history.py", "site.py", "publish.py", "notify.py"]


def main() -> int:
    failed = 0
    for name in ORDER:
        script = HERE / name
        if not script.exists():
            continue
        print(f"\n=== {name} " + "=" * (60 - len(name)), flush=True)
        failed |= subprocess.run([sys.executable, str(script), *sys.argv[1:]]).returncode
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
