#!/usr/bin/env bash
# Regenerates everything under gen/ from proto/ with locally installed plugins.
# CI runs it and fails on any diff, so gen/ is never edited by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
buf=node_modules/.bin/buf
rm -rf gen clients/node/src/gen clients/python/btv clients/go/btvv1 clients/java/src/gen
"$buf" generate
gp=node_modules/google-proto-files
"$buf" generate "$gp" --template buf.gen.googleapis.yaml \
  --path "$gp/google/rpc/status.proto" --path "$gp/google/rpc/error_details.proto"
# Descriptor sets served by server reflection: the raw FileDescriptorProtos buf
# builds (with imports and comments), so grpcurl can resolve every dependency.
mkdir -p gen/descriptors
"$buf" build --as-file-descriptor-set -o gen/descriptors/btv.binpb
# grpc.health.v1 and grpc.reflection protos, under their canonical file names.
tp=$(mktemp -d); trap 'rm -rf "$tp"' EXIT
mkdir -p "$tp/grpc/health/v1" "$tp/grpc/reflection/v1" "$tp/grpc/reflection/v1alpha"
cp node_modules/grpc-health-check/proto/health/v1/health.proto "$tp/grpc/health/v1/"
for v in v1 v1alpha; do
  cp "node_modules/@grpc/reflection/build/proto/grpc/reflection/$v/reflection.proto" "$tp/grpc/reflection/$v/"
done
"$buf" build "$tp" --as-file-descriptor-set -o gen/descriptors/grpc.binpb
"$buf" generate "$tp" --template buf.gen.grpc.yaml --path "$tp/grpc/health/v1/health.proto"
# Python wants package markers beside the stubs the client package ships.
touch clients/python/btv/__init__.py clients/python/btv/v1/__init__.py
