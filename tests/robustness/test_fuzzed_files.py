"""Fuzzed spreadsheets through `import_counts --dry-run --json`: one JSON object per
file, exit status 0, 1 or 2, never a traceback, whatever the bytes."""

from __future__ import annotations

import io
import json
import random
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.import_files import csv_bytes, long_rows, xlsx
from tests.robustness import hostile

ROWS = long_rows(*[["2022-12", f"11{i:04d}", f"課{i}", i * 10, i] for i in range(40)])


def _mutate_xml(data: bytes, rng: random.Random) -> bytes:
    """Damage the XML inside the zip, so the zip itself stays valid."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            body = bytearray(source.read(info))
            if info.filename.endswith(".xml") and body and rng.random() < 0.6:
                for _ in range(rng.randint(1, 8)):
                    at = rng.randrange(len(body))
                    choice = rng.random()
                    if choice < 0.4:
                        body[at] = rng.choice(b'<>/"=r0123456789ABZ')
                    elif choice < 0.7:
                        del body[at : at + rng.randint(1, 30)]
                    else:
                        body[at:at] = body[rng.randrange(len(body)) :][: rng.randint(1, 200)]
            target.writestr(info.filename, bytes(body))
    return out.getvalue()


def fuzzed(rng: random.Random, count: int) -> list[tuple[str, bytes]]:
    seeds = {
        "a.xlsx": xlsx(ROWS),
        "b.csv": csv_bytes(ROWS),
        "c.csv": csv_bytes(ROWS, encoding="cp932"),
        "d.xls": hostile.legacy_xls([list(r) for r in ROWS[:20]]),
    }
    files = []
    for index in range(count):
        name, data = list(seeds.items())[index % len(seeds)]
        mutated = bytearray(data)
        choice = rng.random()
        if name.endswith(".xlsx") and choice < 0.5:
            mutated = bytearray(_mutate_xml(data, rng))
        elif choice < 0.75:
            for _ in range(rng.randint(1, 30)):
                mutated[rng.randrange(len(mutated))] = rng.randrange(256)
        else:
            mutated = mutated[: rng.randrange(1, len(mutated))]
        files.append((f"{index:03d}_{name}", bytes(mutated)))
    return files


@pytest.mark.django_db
def test_every_fuzzed_file_ends_in_one_json_report(tmp_path, tree):
    paths = []
    for name, data in fuzzed(random.Random(20230115), 60):
        path = tmp_path / name
        path.write_bytes(data)
        paths.append(str(path))
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_counts", *paths, "--dry-run", "--json", stdout=out, stderr=err)
        status = 0
    except CommandError as exc:
        status = exc.returncode
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line["file"] for line in lines] == paths
    assert status in (0, 1, 2) and "Traceback" not in err.getvalue()
    for line in lines:
        assert set(line) >= {"ok", "records", "errors", "warnings"}
        assert line["ok"] or line["errors"]
