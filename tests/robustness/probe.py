"""Parse one file as the import does and print what came of it, as JSON.

Run in a subprocess by the robustness tests: if the reader took the process down, the
test sees a dead subprocess instead of a dead test run. Also reports the peak memory of
this process and of its reader child.
"""

from __future__ import annotations

import json
import resource
import sys
from pathlib import Path

from paperless.importing.counts.parse import parse_bytes
from paperless.importing.files.limits import Limits


def main() -> None:
    path, filename = Path(sys.argv[1]), sys.argv[2]
    overrides = json.loads(sys.argv[3]) if len(sys.argv) > 3 else {}
    parsed = parse_bytes(path.read_bytes(), filename=filename, limits=Limits(**overrides))
    print(
        json.dumps(
            {
                "refused": parsed.refused,
                "codes": [e.code for e in parsed.errors],
                "messages": [e.message for e in parsed.errors],
                "records": len(parsed.records),
                "rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                "child_rss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
