#!/usr/bin/env bash
# Regenerates README.md's output samples from real runs: every block between
# "<!-- sample: NAME -->" and "<!-- /sample -->" is replaced by a fenced block holding what
# `pgstack NAME` prints on the project's stack (brought up first when it is not running).
#   tools/readme-samples.sh            # uses build/pgstack, or $PGSTACK_BIN
# Run it from anywhere; it works in the project's root so that paths read as a user sees them.
# The unit test ReadmeSamples.* fails when a sample's shape drifts from the code.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bin=${PGSTACK_BIN:-build/pgstack}
[[ -x $bin ]] || { echo "readme-samples: $bin is not built (cmake --build build)" >&2; exit 2; }

if ! "$bin" status >/dev/null 2>&1; then
  "$bin" up >/dev/null
fi

# The samples, each the output of one command line (stdout is a file: whole lines, no colour).
declare -A commands=([verify]="verify")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for name in "${!commands[@]}"; do
  # shellcheck disable=SC2086 # the command line is words
  "$bin" ${commands[$name]} >"$tmp/$name.txt" || {
    echo "readme-samples: pgstack ${commands[$name]} failed; not writing a failing sample" >&2
    exit 1
  }
done

python3 - "$tmp" README.md <<'PY'
import pathlib, re, sys
tmp, readme = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
text = readme.read_text()
def replace(m):
    name = m.group(1)
    sample = tmp / f"{name}.txt"
    if not sample.exists():
        sys.exit(f"readme-samples: no command for sample '{name}'")
    return f"<!-- sample: {name} -->\n```\n{sample.read_text().rstrip()}\n```\n<!-- /sample -->"
new = re.sub(r"<!-- sample: (\S+) -->\n.*?<!-- /sample -->", replace, text, flags=re.S)
readme.write_text(new)
PY
echo "README.md: samples regenerated ($(printf '%s ' "${!commands[@]}"))"
