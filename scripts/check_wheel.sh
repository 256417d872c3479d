#!/usr/bin/env bash
# The built package, not the checkout: build the wheel, install it with the pinned
# dependencies into a clean virtualenv outside the checkout, and scan the seeds with it from
# a folder outside the checkout. Catches data files the wheel leaves out (an editable
# install, as `make` does, reads them from src/ and hides the gap).
#
#   scripts/check_wheel.sh            # PYTHON=python3 by default
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/newstrace-wheel.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
case "$WORK" in "$ROOT"/*) echo "check_wheel: $WORK is inside the checkout" >&2; exit 1;; esac

# Built from a copy of the files git knows (tracked, or new and not ignored): pip builds in
# the source folder, and a build/ left there by an earlier build would fill in what the
# package-data globs leave out.
echo "check_wheel: building the wheel"
"$PYTHON" - "$ROOT" "$WORK/src" <<'EOF'
import shutil, subprocess, sys
from pathlib import Path
root, dest = Path(sys.argv[1]), Path(sys.argv[2])
listed = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--cached", "--others",
                         "--exclude-standard"], capture_output=True, check=True).stdout
for rel in filter(None, listed.decode().split("\0")):
    if (root / rel).is_file():
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / rel, dest / rel)
EOF
"$PYTHON" -m pip wheel -q --no-deps -w "$WORK/dist" "$WORK/src"
WHEEL="$(ls "$WORK"/dist/newstrace-*.whl)"

echo "check_wheel: $(basename "$WHEEL") holds every tracked data file"
git -C "$ROOT" ls-files -- src/newstrace/data src/newstrace/service/web > "$WORK/tracked.txt"
"$PYTHON" - "$WHEEL" "$WORK/tracked.txt" <<'EOF'
import sys, zipfile
names = set(zipfile.ZipFile(sys.argv[1]).namelist())
tracked = [line.strip() for line in open(sys.argv[2]) if line.strip()]
want = {t.removeprefix("src/") for t in tracked}
missing = sorted(want - names)
assert tracked, "no tracked data files found"
assert not missing, f"the wheel leaves out {missing}"
print(f"check_wheel: {len(want)} data files in the wheel")
EOF

echo "check_wheel: installing into a clean virtualenv"
"$PYTHON" -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install -q -r "$ROOT/requirements.txt"
"$WORK/venv/bin/pip" install -q --no-deps "$WHEEL"

echo "check_wheel: scanning the seeds with the installed package"
cd "$WORK"
"$WORK/venv/bin/python" - "$WORK/venv" <<'EOF'
import sys
from pathlib import Path
import newstrace
where = Path(newstrace.__file__).resolve()
assert where.is_relative_to(Path(sys.argv[1]).resolve()), f"newstrace imported from {where}"
EOF
"$WORK/venv/bin/newstrace" scan "$ROOT/examples/seeds" --format json --quiet > "$WORK/scan.json"
"$WORK/venv/bin/python" - "$WORK/scan.json" <<'EOF'
import json, sys
result = json.load(open(sys.argv[1], encoding="utf-8"))
n = len(result["articles"])
assert n == 5, f"expected the 5 seeds, got {n} articles"
print(f"check_wheel: ok, the installed wheel scanned {n} articles, "
      f"{len(result['pairs'])} pairs, {len(result['stories'])} stories")
EOF
