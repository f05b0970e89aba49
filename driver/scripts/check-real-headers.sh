#!/usr/bin/env bash
# Syntax-checks driver/src against the real WDK and SDK headers (clang in MSVC mode, the defines a WDK build
# passes) with the check kit's check-driver.sh, for x64 and ARM64. Nothing is built or linked.
#
# usage: driver/scripts/check-real-headers.sh [--arch x64|arm64|all]
#   MN_WDK_KIT=DIR   a kit laid out like ../shared/wdk (check-driver.sh + include/ with km/, shared/, wdf/);
#                    default: ../shared/wdk beside the repository. To use an installed WDK instead, build such a
#                    kit's include/ from it with the kit's tools/make-include-tree.sh.
#   MN_WDK_CACHE=DIR where a kit copied without its symlinks is repaired (default $XDG_CACHE_HOME/monitornetwork/wdk-kit)
# Exit: 0 no errors; 1 errors; 2 the check could not run (no clang); 77 no kit here (skipped, one line says so).
set -uo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
arch=all
[ "${1:-}" = "--arch" ] && arch=${2:-all}
kit=${MN_WDK_KIT:-$repo/../shared/wdk}
if [ ! -x "$kit/check-driver.sh" ] && [ ! -f "$kit/check-driver.sh" ]; then
  echo "real-header check skipped: no WDK check kit at $kit (set MN_WDK_KIT)"
  exit 77
fi
kit=$(cd "$kit" && pwd -P)

# The kit's case-fix links (shared/DriverSpecs.h -> driverspecs.h, ...) arrive as small text files holding the
# target's name when the kit was copied without symlinks. Such a copy is repaired once into a cache outside the
# repository (MN_WDK_CACHE, default $XDG_CACHE_HOME/monitornetwork/wdk-kit), never in place: Microsoft's headers
# stay out of the working tree.
if find "$kit/include" -type l -print -quit | grep -q . || ! grep -qx 'driverspecs.h' "$kit/include/shared/DriverSpecs.h" 2>/dev/null; then
  use=$kit
else
  use=${MN_WDK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/monitornetwork/wdk-kit}
  stamp=$use/.repaired-from
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$kit" ]; then
    rm -rf "$use" && mkdir -p "$use" || exit 2
    cp -R "$kit/." "$use/" && chmod -R u+w "$use" || exit 2
    find "$use/include" -type f -size -200c | while IFS= read -r f; do
      target=$(head -c 200 "$f")
      case "$target" in *$'\n'*|*/*|"") continue ;; esac
      [ -f "$(dirname "$f")/$target" ] && [ "$target" != "$(basename "$f")" ] && ln -sf "$target" "$f"
    done
    echo "$kit" > "$stamp"
  fi
fi

command -v clang >/dev/null 2>&1 || ls /usr/bin/clang-[0-9]* >/dev/null 2>&1 || {
  echo "real-header check: clang is not installed (apt-get install clang)" >&2; exit 2; }

status=0
for a in x64 arm64; do
  [ "$arch" = all ] || [ "$arch" = "$a" ] || continue
  out=$(bash "$use/check-driver.sh" --arch "$a" "$repo/driver/src" -Wall -Wextra 2>&1); rc=$?
  printf '%s\n' "$out" | grep -E ': (error|warning|fatal error):|^driver headers check:' 
  warnings=$(printf '%s\n' "$out" | grep -cE "^$repo/driver/src/.*: warning:")
  if [ $rc -ne 0 ]; then status=1; fi
  if [ "$warnings" -ne 0 ]; then echo "real-header check: $warnings warning(s) in driver/src ($a)"; status=1; fi
done
exit $status
