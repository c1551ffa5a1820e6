#!/usr/bin/env bash
# Builds and vets the Go client library (clients/go) and its test agent
# offline, in GOPATH mode against Debian's packaged Go libraries, like
# scripts/go-smoke.sh (same apt packages); writes the agent to OUTPUT.
#
#   scripts/go-client.sh OUTPUT
#
# The import path buildtovalue.dev/btv/clients/go resolves through the same
# .gopath/src/buildtovalue.dev/btv symlink to the repository root.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
if [ $# -ne 1 ]; then
  echo "usage: $0 OUTPUT" >&2
  exit 2
fi
syslib=${GO_SMOKE_GOCODE:-/usr/share/gocode}
if ! command -v go >/dev/null 2>&1 || [ ! -d "$syslib/src/google.golang.org/grpc" ]; then
  echo "go-client: needs apt packages golang-go golang-google-grpc-dev golang-google-protobuf-dev" >&2
  exit 1
fi
export GO111MODULE=off GOFLAGS= GOPROXY=off
export GOPATH="$root/.gopath:$syslib"
export GOCACHE="${GOCACHE:-$root/.gopath/cache}"
export CGO_ENABLED="${CGO_ENABLED:-0}"
link="$root/.gopath/src/buildtovalue.dev/btv"
mkdir -p "$(dirname "$link")"
if [ -e "$link" ] && [ ! -L "$link" ]; then
  echo "go-client: $link exists and is not a symlink; remove it" >&2
  exit 1
fi
ln -sfn "$root" "$link"
lib=buildtovalue.dev/btv/clients/go
agent=buildtovalue.dev/btv/test/clients/agents/go_agent
unformatted=$(gofmt -l clients/go/*.go test/clients/agents/go_agent/*.go)
if [ -n "$unformatted" ]; then
  echo "go-client: not gofmt-clean: $unformatted" >&2
  exit 1
fi
go vet "$lib" "$lib/btvv1" "$agent"
go build -o "$1" "$agent"
