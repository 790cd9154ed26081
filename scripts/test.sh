#!/usr/bin/env bash
# Runs every test file under the given folders (default: test/) with node:test through tsx.
# Files run one at a time: integration tests share one Docker engine.
set -euo pipefail
cd "$(dirname "$0")/.."
dirs=("${@:-test}")
mapfile -t files < <(find "${dirs[@]}" -name '*.test.ts' | sort)
[ ${#files[@]} -gt 0 ] || { echo "no test files under ${dirs[*]}" >&2; exit 1; }
exec node --import tsx --test --test-concurrency=1 --test-reporter=spec "${files[@]}"
