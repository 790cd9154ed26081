#!/usr/bin/env bash
# The baseline for the grader-overhead figure: what the grader's reproduction does, as a
# plain shell script. Starts its own registry:2 (delete enabled, loopback port chosen by
# Docker, own volume), then twice: `docker image rm` of the image and `docker buildx prune
# --all --force` on the `default` builder (docker driver), the lab's build with the grader's
# exact flags (buildArgv in grader/docker/build-runner.ts), and `docker image rm` again (the
# grader's prune isolation, createPruneIsolation in grader/docker/builders.ts), then the manifest check with
# `docker buildx imagetools inspect`, and removes the registry.
#
#   bash bench/plain-build.sh [SUBMISSION_DIR]      (default: submissions/example)
#
# The flags match submissions/example/submission.json; override with BENCH_DOCKERFILE,
# BENCH_BUILD_ARGS (space-separated k=v), BENCH_PLATFORMS, BENCH_STUDENT.
# Serialised with other hand-run Docker work through `flock /tmp/bg-docker.lock` unless
# BENCH_NO_LOCK=1 (bench/grader-overhead.ts takes the lock itself). Prints one
# `phase <name> <ms>` line per phase on stderr and `total <ms>` at the end.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
submission=$(cd "${1:-$here/submissions/example}" && pwd)
dockerfile=${BENCH_DOCKERFILE:-Dockerfile}
build_args=${BENCH_BUILD_ARGS:-VERSION=1.0}
platforms=${BENCH_PLATFORMS:-linux/amd64,linux/arm64}
student=${BENCH_STUDENT:-s99656}

if [ "${BENCH_NO_LOCK:-0}" != 1 ]; then
  exec 9>/tmp/bg-docker.lock
  flock 9
fi

now_ms() { date +%s%3N; }
t0=$(now_ms)
last=$t0
phase() {
  local t
  t=$(now_ms)
  echo "phase $1 $((t - last))" >&2
  last=$t
}

name="bench-plain-$$-$(date +%s)"
mkdir -p "${BENCH_TMPDIR:-$here/bench/.work}"
work=$(mktemp -d "${BENCH_TMPDIR:-$here/bench/.work}/bench-plain-XXXXXX")
cleanup() {
  docker rm -f "$name" >/dev/null 2>&1 || true
  docker volume rm -f "$name" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# registry:2 on a loopback port picked by Docker, like the grader's registry7.
docker volume create "$name" >/dev/null
docker run -d --name "$name" -p 127.0.0.1::5000 -v "$name:/var/lib/registry" \
  -e REGISTRY_STORAGE_DELETE_ENABLED=true registry:2 >/dev/null
port=$(docker port "$name" 5000/tcp | head -n1 | sed 's/.*://')
registry="127.0.0.1:$port"
for _ in $(seq 1 100); do
  curl -fsS -o /dev/null "http://$registry/v2/" 2>/dev/null && break
  sleep 0.1
done
curl -fsS -o /dev/null "http://$registry/v2/"
phase registry-start

image="$registry/$student/app:graded"
cache="$registry/$student/app:buildcache"
build_arg_flags=()
for kv in $build_args; do build_arg_flags+=(--build-arg "$kv"); done

for i in 1 2; do
  # The grader's prune isolation (createPruneIsolation in grader/docker/builders.ts): the local
  # copy of the image removed and the build cache emptied before each build, the image removed
  # again after it (with the containerd store, --push also keeps the image locally).
  docker image rm --force "$image" >/dev/null 2>&1 || true
  docker buildx prune --builder default --all --force >/dev/null
  phase "prune-$i"
  docker buildx build --builder default --progress=plain --platform "$platforms" \
    -f "$submission/$dockerfile" "${build_arg_flags[@]}" -t "$image" --push \
    --cache-to "type=registry,ref=$cache,mode=max" \
    --cache-from "type=registry,ref=$cache" \
    --metadata-file "$work/metadata-$i.json" \
    "$submission" >"$work/build-$i.log" 2>&1 || { tail -n 30 "$work/build-$i.log" >&2; exit 1; }
  phase "build-$i"
  docker image rm --force "$image" >/dev/null 2>&1 || true
  phase "rmi-$i"
done

# The checks the grader makes on the result, in their plainest form.
docker buildx imagetools inspect "$image" >"$work/inspect.txt"
docker buildx imagetools inspect "$cache" >/dev/null
cached=$(grep -c ' CACHED$' "$work/build-2.log" || true)
phase inspect
echo "build 2: $cached CACHED steps; $(grep -c 'Platform:' "$work/inspect.txt" || true) platform entries in the index" >&2

cleanup
trap - EXIT
phase cleanup
echo "total $(($(now_ms) - t0))" >&2
