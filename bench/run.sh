#!/usr/bin/env bash
# Run the benchmarks (by hand, never in CI): bench/run.sh [--quick] [--only ...] [--targets ...]
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n "$(ulimit -Hn)"   # 10,000 connections need more than the usual 1,024 open files
[ -d bench/node_modules/socket.io-client ] && [ -d bench/node_modules/socket.io ] || (cd bench && npm install --no-audit --no-fund --silent)
exec .venv/bin/python bench/run.py "$@"
