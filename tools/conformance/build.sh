#!/usr/bin/env bash
# Builds the OCI distribution-spec conformance test binary offline.
#
#   tools/conformance/build.sh            -> prints the path of the binary
#
# Output goes to $CONFORMANCE_BUILD_DIR (default: <repo>/tmp/conformance, which
# git ignores). The binary is rebuilt only when an input changes: the sources
# under tools/conformance, this script, the Go toolchain or a Debian package.
#
# Everything comes from Debian packages plus the sources kept in this folder;
# no Go module proxy is used (GO111MODULE=off builds from a GOPATH assembled
# out of /usr/share/gocode and symlinks). See README.md for why.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
OUT="${CONFORMANCE_BUILD_DIR:-$REPO/tmp/conformance}"
BIN="$OUT/conformance.test"

APT_PACKAGES=(
  golang-go
  golang-github-onsi-ginkgo-dev
  golang-gomega-dev
  golang-github-go-resty-resty-dev
  golang-github-mitchellh-mapstructure-dev
  golang-github-asaskevich-govalidator-dev
  golang-github-google-uuid-dev
  golang-github-opencontainers-go-digest-dev
)

log() { echo "conformance-build: $*" >&2; }

install_missing_packages() {
  local missing=()
  local pkg
  for pkg in "${APT_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$pkg")
    fi
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    return
  fi
  log "installing ${missing[*]}"
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then sudo=(sudo); fi
  # A fresh machine may have no package lists yet; update once and retry.
  if ! DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}" >&2; then
    "${sudo[@]}" apt-get update >&2
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}" >&2
  fi
}

inputs_fingerprint() {
  {
    (cd "$HERE" && find src ginkgo-v2-shim third_party build.sh -type f -print0 | sort -z | xargs -0 sha256sum)
    go version
    dpkg-query -W "${APT_PACKAGES[@]}"
  } | sha256sum | cut -d' ' -f1
}

# GOPATH mode resolves an import path to the first GOPATH root holding that
# directory, so the v2 import paths the suite uses are mapped with symlinks:
#   github.com/onsi/ginkgo/v2      -> ginkgo-v2-shim (over Debian's Ginkgo v1)
#   github.com/go-resty/resty/v2   -> Debian's resty (installed without /v2)
#   github.com/bloodorangeio/reggie -> third_party/reggie
assemble_gopath() {
  local gopath="$OUT/gopath"
  local gocode=/usr/share/gocode/src
  rm -rf "$gopath"
  mkdir -p "$gopath/src/github.com/onsi/ginkgo" "$gopath/src/github.com/go-resty/resty" "$gopath/src/github.com/bloodorangeio"
  local entry
  for entry in "$gocode/github.com/onsi/ginkgo"/*; do
    ln -s "$entry" "$gopath/src/github.com/onsi/ginkgo/$(basename "$entry")"
  done
  ln -s "$HERE/ginkgo-v2-shim" "$gopath/src/github.com/onsi/ginkgo/v2"
  ln -s "$gocode/github.com/go-resty/resty" "$gopath/src/github.com/go-resty/resty/v2"
  ln -s "$HERE/third_party/reggie" "$gopath/src/github.com/bloodorangeio/reggie"
  echo "$gopath:/usr/share/gocode"
}

main() {
  install_missing_packages
  mkdir -p "$OUT"

  local fingerprint
  fingerprint="$(inputs_fingerprint)"
  if [ -x "$BIN" ] && [ -f "$OUT/inputs.sha256" ] && [ "$(cat "$OUT/inputs.sha256")" = "$fingerprint" ]; then
    log "up to date: $BIN"
    echo "$BIN"
    return
  fi

  local gopath
  gopath="$(assemble_gopath)"
  log "building $BIN ($(go version | cut -d' ' -f3))"
  rm -f "$OUT/inputs.sha256"
  (
    cd "$HERE/src"
    env GO111MODULE=off GOPATH="$gopath" GOPROXY=off GOFLAGS= CGO_ENABLED=0 \
      GOCACHE="$OUT/gocache" \
      go test -c -o "$BIN" .
  )
  echo "$fingerprint" > "$OUT/inputs.sha256"
  log "built $BIN"
  echo "$BIN"
}

main "$@"
