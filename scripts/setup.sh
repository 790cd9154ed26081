#!/usr/bin/env bash
# Installs and starts the real build stack the grader and its tests use:
# Docker Engine (containerd image store) + buildx from Debian trixie, QEMU for
# arm64, Chromium with Polish fonts, a local registry:2 image and a multi-arch
# busybox base image in a loopback base registry. Idempotent; needs root.
# Recipe: shared/ENVIRONMENT.md.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
base_port=${BUILDX_GRADER_BASE_PORT:-5055}
base_name=buildx-grader-base
log() { printf '[setup] %s\n' "$*" >&2; }
need_root() { [ "$(id -u)" = 0 ] || { log "must run as root to install $1 (try: sudo $0)"; exit 1; }; }

# The stack students run: Docker 28.5 + buildx 0.29 + containerd 2.1 from Debian
# forky. It installs over trixie's (which brings trixie's libc first); order matters,
# see shared/ENVIRONMENT.md.
forky_pkgs=(docker.io docker-cli docker-buildx containerd runc)
other_pkgs=(docker-registry qemu-user-static binfmt-support busybox-static chromium fonts-dejavu-core poppler-utils tesseract-ocr tesseract-ocr-pol tesseract-ocr-eng apache2-utils curl jq openssl golang-docker-credential-helpers pass gnupg)
min_buildx=0.29
all_manifests='application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json'

add_suite() { # name pin-priority
  local uri
  uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  uri=${uri:-http://deb.debian.org/debian}
  [ -f "/etc/apt/sources.list.d/$1.sources" ] && return 1
  printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$uri" "$1" \
    > "/etc/apt/sources.list.d/$1.sources"
  # Low pin: only what we ask for with -t <suite> comes from that suite.
  printf 'Package: *\nPin: release n=%s\nPin-Priority: %s\n' "$1" "$2" > "/etc/apt/preferences.d/$1"
}

installed_version() { dpkg-query -W -f='${Status} ${Version}' "$1" 2>/dev/null | awk '$3 == "installed" {print $4}'; }

stack_is_current() {
  local v; v=$(installed_version docker-buildx)
  [ -n "$v" ] && dpkg --compare-versions "$v" ge "$min_buildx"
}

install_packages() {
  local missing=() p
  for p in "${other_pkgs[@]}" "${forky_pkgs[@]}"; do [ -n "$(installed_version "$p")" ] || missing+=("$p"); done
  if [ ${#missing[@]} -eq 0 ] && stack_is_current; then return 0; fi
  need_root "${missing[*]:-docker-buildx >= $min_buildx}"
  export DEBIAN_FRONTEND=noninteractive
  add_suite trixie 100 || true
  add_suite forky 90 || true
  apt-get update -qq
  if ! stack_is_current; then
    log "installing Docker Engine 28.5 + buildx 0.29 (Debian forky over trixie)"
    # A running dockerd would be replaced under its own feet.
    pkill -x dockerd 2>/dev/null && sleep 2 || true
    apt-get install -y -qq --no-install-recommends -t trixie docker.io docker-cli docker-buildx >/dev/null
    apt-get install -y -qq --no-install-recommends -t forky "${forky_pkgs[@]}" >/dev/null
  fi
  log "installing: ${other_pkgs[*]}"
  apt-get install -y -qq --no-install-recommends "${other_pkgs[@]}" >/dev/null
}

docker_ok() { timeout 10 docker version >/dev/null 2>&1; }

start_engine() {
  if docker_ok; then return 0; fi
  need_root dockerd
  mkdir -p /etc/docker
  if [ ! -f /etc/docker/daemon.json ]; then
    # containerd image store: lets the docker driver build multi-platform and export registry cache.
    echo '{ "features": { "containerd-snapshotter": true } }' > /etc/docker/daemon.json
  fi
  log "starting dockerd (log: /var/log/buildx-grader-dockerd.log)"
  setsid nohup dockerd >/var/log/buildx-grader-dockerd.log 2>&1 < /dev/null &
  for _ in $(seq 1 60); do docker_ok && return 0; sleep 1; done
  log "dockerd did not answer within 60 s; see /var/log/buildx-grader-dockerd.log"
  exit 1
}

enable_arm64() {
  if [ -f /proc/sys/fs/binfmt_misc/qemu-aarch64 ] && grep -q enabled /proc/sys/fs/binfmt_misc/qemu-aarch64; then return 0; fi
  need_root "binfmt for arm64"
  [ -f /proc/sys/fs/binfmt_misc/status ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
  update-binfmts --enable qemu-aarch64
}

# Copies every shared library the binaries link (and the loader) into ROOTFS,
# keeping their paths. One ldd call per binary: with several files ldd prints a
# "<file>:" header line that is not a library.
copy_libs() { # ROOTFS BINARY...
  local rootfs=$1 bin lib; shift
  for bin in "$@"; do ldd "$bin"; done | grep -oE '(^|[[:space:]])/[^ :]+' | tr -d '[:blank:]' | sort -u | \
    while read -r lib; do mkdir -p "$rootfs$(dirname "$lib")"; cp -L "$lib" "$rootfs$lib"; done
}

build_registry_image() {
  if docker image inspect registry:2 >/dev/null 2>&1; then return 0; fi
  log "building local registry:2 from Debian's docker-registry"
  local ctx; ctx=$(mktemp -d)
  mkdir -p "$ctx/rootfs/bin" "$ctx/rootfs/etc/docker/registry" "$ctx/rootfs/var/lib/registry" "$ctx/rootfs/tmp"
  cp /usr/bin/docker-registry "$ctx/rootfs/bin/registry"
  cp /bin/busybox "$ctx/rootfs/bin/busybox"
  for a in sh du ls cat wget; do ln -s busybox "$ctx/rootfs/bin/$a"; done
  copy_libs "$ctx/rootfs" /usr/bin/docker-registry
  cp "$here/stack/registry-config.yml" "$ctx/rootfs/etc/docker/registry/config.yml"
  docker buildx build --builder default --load --provenance=false -t registry:2 -f "$here/stack/registry.Dockerfile" "$ctx" >&2
  rm -rf "$ctx"
}

# Default image that runs students' deletion scripts (grader/bonus/sandbox.ts):
# FROM scratch with Debian's busybox (sh), curl and jq; no Docker client inside.
build_sandbox_image() {
  local tag=buildx-grader/sandbox:1
  if docker image inspect "$tag" >/dev/null 2>&1; then return 0; fi
  local p missing=()
  for p in curl jq; do command -v "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    need_root "${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  log "building $tag (sandbox for deletion scripts) from Debian's curl, jq, busybox"
  local ctx; ctx=$(mktemp -d)
  mkdir -p "$ctx/rootfs/bin" "$ctx/rootfs/usr/bin" "$ctx/rootfs/etc" "$ctx/rootfs/tmp"
  cp /bin/busybox "$ctx/rootfs/bin/busybox"
  for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -sf busybox "$ctx/rootfs/bin/$a"; done
  cp "$(command -v curl)" "$(command -v jq)" "$ctx/rootfs/usr/bin/"
  copy_libs "$ctx/rootfs" "$(command -v curl)" "$(command -v jq)"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/tmp:/bin/sh\n' > "$ctx/rootfs/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$ctx/rootfs/etc/group"
  docker buildx build --builder default --load --provenance=false -t "$tag" -f "$here/stack/sandbox.Dockerfile" "$ctx" >&2
  rm -rf "$ctx"
}

start_base_registry() {
  if [ "$(docker inspect -f '{{.State.Running}}' "$base_name" 2>/dev/null)" = true ]; then return 0; fi
  if docker inspect "$base_name" >/dev/null 2>&1; then docker start "$base_name" >/dev/null; else
    docker run -d --name "$base_name" --restart unless-stopped --label buildx-grader.role=base \
      -p "127.0.0.1:$base_port:5000" -v buildx-grader-base:/var/lib/registry registry:2 >/dev/null
  fi
  for _ in $(seq 1 30); do curl -fsS "http://127.0.0.1:$base_port/v2/" >/dev/null 2>&1 && return 0; sleep 0.5; done
  log "base registry on 127.0.0.1:$base_port did not answer"; exit 1
}

push_base_image() {
  local ref="127.0.0.1:$base_port/library/busybox:latest"
  if curl -fsS -o /dev/null -H 'Accept: application/vnd.oci.image.index.v1+json' \
      "http://127.0.0.1:$base_port/v2/library/busybox/manifests/latest" 2>/dev/null; then return 0; fi
  log "building multi-arch busybox base -> $ref"
  local ctx; ctx=$(mktemp -d)
  dpkg --print-foreign-architectures | grep -qx arm64 || { dpkg --add-architecture arm64; apt-get update -qq; }
  (cd "$ctx" && apt-get download -qq busybox-static:amd64 busybox-static:arm64 >/dev/null)
  for arch in amd64 arm64; do
    mkdir -p "$ctx/rootfs-$arch"
    dpkg-deb -x "$ctx"/busybox-static_*_"$arch".deb "$ctx/rootfs-$arch"
    mkdir -p "$ctx/rootfs-$arch/tmp" "$ctx/rootfs-$arch/usr/bin" "$ctx/rootfs-$arch/root"
    for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -sf busybox "$ctx/rootfs-$arch/bin/$a"; done
    rm -rf "$ctx/rootfs-$arch/usr/share"
  done
  docker buildx build --builder default --platform linux/amd64,linux/arm64 --provenance=false \
    -t "$ref" --push -f "$here/stack/busybox.Dockerfile" "$ctx" >&2
  rm -rf "$ctx"
}

# The bundled example as its student would have published it: the lab's command,
# run once, so `grade`/`inspect` find the student's image and cache.
publish_example() {
  local image="127.0.0.1:$base_port/s99656/pogoda:multiarch" cache="127.0.0.1:$base_port/s99656/pogoda:buildcache"
  # BuildKit >= 0.21 stores the cache as an OCI image manifest, older ones as an index.
  if curl -fsS -o /dev/null -H "Accept: $all_manifests" \
      "http://127.0.0.1:$base_port/v2/s99656/pogoda/manifests/buildcache" 2>/dev/null; then return 0; fi
  log "publishing the example submission -> $image"
  docker buildx build --builder default --progress=quiet --platform linux/amd64,linux/arm64 \
    --build-arg VERSION=1.0 -t "$image" --push \
    --cache-to "type=registry,ref=$cache,mode=max" --cache-from "type=registry,ref=$cache" \
    "$root/submissions/example" >&2
}

# A developer machine that has the BuildKit image gets it into the base registry, where the
# tests' container strategy pulls it from (scripts/test.sh); CI machines have none.
share_buildkit_image() {
  local src=moby/buildkit:buildx-stable-1 dst="127.0.0.1:$base_port/moby/buildkit:buildx-stable-1"
  docker image inspect "$src" >/dev/null 2>&1 || return 0
  log "pushing local $src -> $dst"
  docker tag "$src" "$dst" && docker push -q "$dst" >/dev/null
}

install_node_modules() {
  [ -d "$root/node_modules/.bin" ] && [ "$root/node_modules/.package-lock.json" -nt "$root/package-lock.json" ] && return 0
  log "npm ci"
  (cd "$root" && PUPPETEER_SKIP_DOWNLOAD=true npm ci --no-audit --no-fund >&2)
}

# --fresh (or BUILDX_GRADER_FRESH=1, what .ci/run sets): remove everything this
# script builds, so a broken recipe fails here instead of hiding behind an image
# left by an earlier run. Packages stay installed.
remove_built() {
  log "--fresh: removing what setup built (base registry, registry:2, sandbox image)"
  docker rm -f "$base_name" >/dev/null 2>&1 || true
  docker volume rm -f buildx-grader-base >/dev/null 2>&1 || true
  docker image rm -f registry:2 buildx-grader/sandbox:1 >/dev/null 2>&1 || true
}

fresh=${BUILDX_GRADER_FRESH:-0}
no_npm=0
for arg in "$@"; do
  case $arg in
    --fresh) fresh=1 ;;
    --no-npm) no_npm=1 ;;
    *) log "unknown option $arg (known: --fresh, --no-npm)"; exit 2 ;;
  esac
done

install_packages
start_engine
[ "$fresh" = 1 ] && remove_built
enable_arm64
build_registry_image
build_sandbox_image
start_base_registry
push_base_image
publish_example
share_buildkit_image
[ "$no_npm" = 1 ] || install_node_modules
log "stack ready: $(docker version -f 'engine {{.Server.Version}}'), $(docker buildx version | cut -d' ' -f1-2), base 127.0.0.1:$base_port"
