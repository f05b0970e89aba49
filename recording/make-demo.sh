#!/usr/bin/env bash
# Regenerates recording/demo.nettrace: the MonitorNetwork test emitter's events recorded through EventPipe (the
# same format `dotnet-trace collect` writes), from bench/MonitorNetwork.Benchmark/DemoRecording.cs. Any OS.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet run --project bench/MonitorNetwork.Benchmark -c Release -- demo recording/demo.nettrace
