#!/usr/bin/env bash
# Runs every test file under the given folders (default: test/) with node:test through tsx.
# Files run one at a time: integration tests share one Docker engine.
set -euo pipefail
cd "$(dirname "$0")/.."
# The default container strategy pulls its BuildKit image when missing; in tests that pull may
# only ever reach the loopback base registry (setup.sh pushes a local moby/buildkit there, if any).
export GRADER_BUILDKIT_IMAGE=${GRADER_BUILDKIT_IMAGE:-127.0.0.1:${BUILDX_GRADER_BASE_PORT:-5055}/moby/buildkit:buildx-stable-1}
dirs=("${@:-test}")
mapfile -t files < <(find "${dirs[@]}" -name '*.test.ts' | sort)
[ ${#files[@]} -gt 0 ] || { echo "no test files under ${dirs[*]}" >&2; exit 1; }
exec node --import tsx --test --test-concurrency=1 --test-reporter=spec "${files[@]}"
