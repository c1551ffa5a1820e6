#!/usr/bin/env bash
# Compile-checks the committed Go stubs (gen/go) and the Go client smoke test
# (test/clients/go_smoke) offline, in GOPATH mode against Debian's packaged Go
# libraries, and runs the smoke test when given a server address and a token.
#
#   scripts/go-smoke.sh                 # build + vet only
#   scripts/go-smoke.sh ADDRESS TOKEN   # build + vet, then run against ADDRESS
#
# Needs (apt): golang-go golang-google-grpc-dev golang-google-protobuf-dev
#   golang-github-golang-protobuf-1-5-dev golang-google-genproto-dev
# There is no go.mod on purpose: the module proxy is not reachable in CI, so
# the import path buildtovalue.dev/btv (go_package of the protos) is served by
# a symlink .gopath/src/buildtovalue.dev/btv -> repository root (.gopath/ is
# git-ignored) and everything else comes from /usr/share/gocode.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

if [ $# -ne 0 ] && [ $# -ne 2 ]; then
  echo "usage: $0 [ADDRESS TOKEN]" >&2
  exit 2
fi
if ! command -v go >/dev/null 2>&1; then
  echo "go-smoke: 'go' not found (apt-get install golang-go golang-google-grpc-dev golang-google-protobuf-dev golang-github-golang-protobuf-1-5-dev)" >&2
  exit 1
fi
syslib=${GO_SMOKE_GOCODE:-/usr/share/gocode}
for pkg in google.golang.org/grpc google.golang.org/protobuf github.com/golang/protobuf google.golang.org/genproto/googleapis/rpc/errdetails; do
  if [ ! -d "$syslib/src/$pkg" ]; then
    echo "go-smoke: $syslib/src/$pkg is missing; install the Debian golang-*-dev packages listed in $0" >&2
    exit 1
  fi
done

export GO111MODULE=off
export GOPATH="$root/.gopath:$syslib"
export GOFLAGS=
export GOPROXY=off
export GOCACHE="${GOCACHE:-$root/.gopath/cache}"
export CGO_ENABLED="${CGO_ENABLED:-0}"

link="$root/.gopath/src/buildtovalue.dev/btv"
mkdir -p "$(dirname "$link")"
if [ -e "$link" ] && [ ! -L "$link" ]; then
  echo "go-smoke: $link exists and is not a symlink; remove it" >&2
  exit 1
fi
ln -sfn "$root" "$link"

# Packages by import path: GOPATH mode does not follow the symlink for "...".
stubs=buildtovalue.dev/btv/gen/go/btv/v1
smoke=buildtovalue.dev/btv/test/clients/go_smoke
bin="$root/.gopath/bin/go_smoke"

start=$(date +%s)
echo "go-smoke: $(go version), grpc-go $(sed -n 's/^const Version = "\(.*\)"/\1/p' "$syslib/src/google.golang.org/grpc/version.go")"
go build "$stubs"
go vet "$stubs" "$smoke"
mkdir -p "$(dirname "$bin")"
go build -o "$bin" "$smoke"
echo "go-smoke: built gen/go and $smoke in $(($(date +%s) - start))s"

if [ $# -eq 2 ]; then
  exec "$bin" "$1" "$2"
fi
