"""Hostile input: parse time grows linearly with size; memory does not grow with errors.

    .venv/bin/python benchmarks/bench_adversarial.py [--rows 20000]

No database is needed. Prints, from one run:

  patterns  each pattern the import applies to cell text (a month in a title, a
            fiscal year, a count), called directly on text built to make a pattern
            backtrack, at 250,000 and 1,000,000 characters; and the pattern the month
            in a title was read with before, at 2,000 and 8,000 characters
  parse     ``parse_bytes`` (in this process) of a CSV with three title cells of
            32,000 spaces and a letter, and rows of cells of the same kind of text, at
            1x and 4x the rows
  memory    the peak resident memory of a fresh process that does what the web process
            does with an upload (read in the limited child process, validate,
            summarise) for a CSV with 600,000 errors, and for a valid CSV of the same
            size

Time ratios are 4x / 1x: about 4 when the time is linear in the size, 16 when it is
quadratic. The memory ratio is errors / valid: at most about 1 when the web process's
memory does not grow with the number of errors.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
MONTHS = [date(2021 + (m < 4), m, 1) for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]
OLD_MONTH_IN_TEXT = re.compile(
    r"(?:令和|平成|昭和|[RHS])?\s*(?:元|\d{1,4})\s*年\s*\d{1,2}\s*月|\d{4}\s*[-/.]\s*\d{1,2}"
)


def best(function, *args, repeat: int = 3) -> float:
    """The best of ``repeat`` timings of ``function(*args)``, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function(*args)
        times.append(time.perf_counter() - start)
    return min(times)


def hostile_texts(size: int) -> dict[str, str]:
    return {
        "spaces then a letter": " " * size + "x",
        "era, spaces, a letter": "R" + " " * size + "x",
        "year, spaces, no month": "2022年" + " " * size + "x",
        "digits then a letter": "1" * size + "x",
        "digit and space pairs": "1 " * (size // 2) + "x",
    }


def patterns() -> list[tuple[str, float, float]]:
    from paperless.importing.counts.layout import _MONTH_IN_TEXT
    from paperless.importing.counts.values import _FISCAL_YEAR, _NUMBER

    rows = []
    small, large = 250_000, 1_000_000
    for pattern, call in (
        ("month in a title", lambda t: _MONTH_IN_TEXT.findall(t)),
        ("fiscal year", lambda t: _FISCAL_YEAR.search(t)),
        ("count", lambda t: _NUMBER.fullmatch(t)),
    ):
        for name, text in hostile_texts(small).items():
            four = hostile_texts(large)[name]
            rows.append((f"{pattern}: {name}", best(call, text), best(call, four)))
    old_small, old_large = " " * 2_000 + "x", " " * 8_000 + "x"
    rows.append(
        (
            "before: month in a title, spaces (2,000/8,000)",
            best(OLD_MONTH_IN_TEXT.findall, old_small, repeat=1),
            best(OLD_MONTH_IN_TEXT.findall, old_large, repeat=1),
        )
    )
    return rows


def hostile_csv(rows: int) -> bytes:
    """Three 32,000-space title cells, the header, and rows of hostile cells."""
    title = " " * 32_000 + "x"
    lines = [f"{title},{title},{title}", "年月,所属コード,所属名,印刷枚数,コピー枚数,除外枚数"]
    cell = "R" + " " * 150 + "x"
    for i in range(rows):
        lines.append(f"{cell},{i:06d}{' ' * 100}x,{cell},{'1' * 150}x,{cell},{'2' * 100} y")
    return ("\n".join(lines) + "\n").encode()


def parse_times(rows: int) -> tuple[float, float, int]:
    from paperless.importing.counts.parse import parse_bytes
    from paperless.importing.files.limits import Limits

    limits = Limits(max_bytes=1 << 30, max_rows=10_000_000)
    one, four = hostile_csv(rows), hostile_csv(4 * rows)

    def run(data: bytes) -> None:
        parsed = parse_bytes(data, filename="hostile.csv", limits=limits, isolate=False)
        assert not parsed.refused and not parsed.records, parsed.errors[:3]

    return best(run, one), best(run, four), len(four)


# --- memory: one file per fresh process ----------------------------------------------------


def counts_csv(rows: int, *, errors: bool) -> bytes:
    """``rows`` rows of 10,000 departments x months; with ``errors`` every count of
    every row is text (three errors a row), otherwise numbers of the same width."""
    lines = ["年月,所属コード,印刷枚数,コピー枚数,除外枚数"]
    for i in range(rows):
        month = MONTHS[(i // 10_000) % 12].replace(year=MONTHS[0].year + i // 120_000)
        values = ("x1234", "y1234", "z12") if errors else ("01234", "01234", "012")
        lines.append(f"{month:%Y-%m},5{i % 10_000:05d},{','.join(values)}")
    return ("\n".join(lines) + "\n").encode()


def peak_kb() -> int:
    """This process's peak resident memory in KB. VmHWM, not ru_maxrss: on Linux the
    latter keeps the peak of the process that started this one (fork and exec)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def measure(path: str) -> None:
    """In a fresh process: what the web process does with an upload, and its peak."""
    from paperless.importing.counts.parse import parse_bytes
    from paperless.importing.counts.summary import build_summary
    from paperless.importing.counts.validate import Context, UnitInfo, validate_file
    from paperless.importing.files.limits import Limits

    units = {
        f"5{d:05d}": UnitInfo(d + 1, f"5{d:05d}", f"第{d}課", "department") for d in range(10_000)
    }
    context = Context(units=units, today=date(2024, 4, 10), base_fy=2020)
    before = peak_kb()
    data = Path(path).read_bytes()
    parsed = parse_bytes(data, filename="counts.csv", limits=Limits(max_rows=250_000))
    validation = validate_file(parsed, context)
    summary = build_summary(parsed, validation, context)
    peak = peak_kb()
    print(
        json.dumps(
            {
                "before_kb": before,
                "peak_kb": peak,
                "records": len(parsed.records),
                "errors": summary["error_count"],
                "listed": len(summary["errors"]),
            }
        )
    )


def memory(rows: int) -> dict[str, dict]:
    found = {}
    folder = Path(tempfile.mkdtemp(prefix="bench-adversarial-"))
    for kind in ("errors", "valid"):
        path = folder / f"{kind}.csv"
        path.write_bytes(counts_csv(rows, errors=kind == "errors"))
        done = subprocess.run(
            [sys.executable, __file__, "--measure", str(path)],
            capture_output=True,
            text=True,
            check=True,
            cwd=BASE_DIR,
        )
        found[kind] = json.loads(done.stdout) | {"bytes": path.stat().st_size}
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000, help="hostile rows at 1x")
    parser.add_argument("--error-rows", type=int, default=200_000, help="rows of the error file")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.measure)
        return

    print(f"\n{'pattern on hostile text':<58}{'1x s':>9}{'4x s':>9}{'4x/1x':>8}")
    for label, one, four in patterns():
        print(f"{label:<58}{one:>9.4f}{four:>9.4f}{four / one:>8.1f}")

    one, four, size = parse_times(args.rows)
    print(f"\nparse_bytes of a hostile CSV: {args.rows:,} rows vs {4 * args.rows:,} rows")
    print(
        f"  ({size / 1e6:.1f} MB at 4x)  1x {one:.3f} s, 4x {four:.3f} s, 4x/1x = {four / one:.1f}"
    )

    found = memory(args.error_rows)
    errors, valid = found["errors"], found["valid"]
    print(f"\nweb process peak RSS, {args.error_rows:,}-row CSV (read, validate, summarise)")
    for kind, result in found.items():
        print(
            f"  {kind:<7}{result['bytes'] / 1e6:>6.1f} MB file, {result['errors']:>9,} errors"
            f" ({result['listed']:,} listed), {result['records']:>9,} records:"
            f" peak {result['peak_kb'] / 1024:>6.0f} MB"
            f" (+{(result['peak_kb'] - result['before_kb']) / 1024:.0f} MB for the file)"
        )
    print(f"  peak errors / valid = {errors['peak_kb'] / valid['peak_kb']:.2f}  (target <= 1)")


if __name__ == "__main__":
    main()
