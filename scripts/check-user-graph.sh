#!/usr/bin/env bash
# Checks that a package depending on the DBOS library alone does not pull the examples'
# servers, clients and exporters into its graph: resolves a throwaway consumer package (no
# build) and fails when Hummingbird, AsyncHTTPClient, swift-otel (or its gRPC packages) or the
# MCP SDK (swift-sdk, DBOSAgents' dependency)
# appear in its dependencies.
# Prints `PASS user-graph ...` or `FAIL user-graph ...`; exit status 0 or 1.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/dbos-user-graph.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/Sources/consumer"
cat > "$WORK/Package.swift" <<SWIFT
// swift-tools-version:6.0
import PackageDescription
let package = Package(
    name: "consumer", platforms: [.macOS(.v15)],
    dependencies: [.package(path: "$ROOT")],
    targets: [.executableTarget(name: "consumer", dependencies: [.product(name: "DBOS", package: "$(basename "$ROOT")")])])
SWIFT
echo 'import DBOS' > "$WORK/Sources/consumer/main.swift"
graph=$(cd "$WORK" && swift package show-dependencies --format flatlist 2>/dev/null) || {
  echo "FAIL user-graph: cannot resolve a package that depends on DBOS"; exit 1; }
leaked=$(echo "$graph" | grep -iE 'hummingbird|async-http-client|swift-otel|swift-protobuf|grpc|swift-sdk|mcp|eventsource' || true)
if [ -n "$leaked" ]; then
  echo "FAIL user-graph: a DBOS user's graph includes: $(echo $leaked)"; exit 1
fi
if ! echo "$graph" | grep -q 'postgres-nio'; then
  echo "FAIL user-graph: postgres-nio missing from the graph (did resolution work?)"; exit 1
fi
echo "PASS user-graph: a DBOS user's graph has $(echo "$graph" | sort -u | wc -l) packages, none of Hummingbird, AsyncHTTPClient, swift-otel and the MCP SDK"
