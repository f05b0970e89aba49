#!/usr/bin/env bash
# Links driver/src into a real PE .sys with the check kit's link-driver.sh (clang + lld-link, import libraries made
# from what the real WDK headers declare) and checks that every import the .sys names is exported by the Windows
# the project declares as its floor (_NT_TARGET_VERSION in MonitorNetwork.Driver.vcxproj). The loader refuses a
# driver with one import too many, so this is the check that it loads on the oldest Windows we claim.
#
# usage: driver/scripts/check-imports-at-floor.sh --arch x64|arm64 [--link-ntddi 0x0A00000N [--expect-refused NAME]]
#   --link-ntddi      link at another version (the floor's exports still judge it): the check's own test, since at
#                     Windows 11 22H2 (0x0A00000C) the lookaside calls become imports older kernels lack
#   --expect-refused  succeed only if the check refuses NAME (and fail if it accepts everything)
#   MN_WDK_KIT=DIR    the kit (default ../shared/wdk beside the repository)
# Exit: 0 every import exported at the floor; 1 an import is not, or the link failed; 2 tools missing; 77 no kit.
set -uo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
arch=x64 link_ntddi="" expect=""
while [ $# -gt 0 ]; do
  case "$1" in
    --arch) arch=$2; shift 2 ;;
    --link-ntddi) link_ntddi=$2; shift 2 ;;
    --expect-refused) expect=$2; shift 2 ;;
    *) echo "usage: $0 --arch x64|arm64 [--link-ntddi 0x0A00000N [--expect-refused NAME]]" >&2; exit 2 ;;
  esac
done
kit=${MN_WDK_KIT:-$repo/../shared/wdk}
if [ ! -f "$kit/link-driver.sh" ]; then
  echo "import check skipped: no WDK check kit at $kit (set MN_WDK_KIT)"
  exit 77
fi
for tool in lld-link llvm-dlltool llvm-readobj; do
  command -v "$tool" >/dev/null 2>&1 || ls /usr/bin/"$tool"-[0-9]* >/dev/null 2>&1 || ls /usr/lib/llvm-*/bin/"$tool" >/dev/null 2>&1 || {
    echo "import check: $tool is not installed (apt-get install clang-19 lld-19 llvm-19)" >&2; exit 2; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
floor=$(bash "$kit/link-driver.sh" --print-ntddi "$repo/driver/src" 2>&1 | awk '{print $1}')
case "$floor" in 0x0A0000[0-9A-F][0-9A-F]) ;; *) echo "import check: the project declares no floor ($floor)" >&2; exit 1 ;; esac

# The floor's exports, and (unless another version is asked for) the link at the floor itself.
if ! bash "$kit/link-driver.sh" --arch "$arch" --defs "$work/defs" "$repo/driver/src" "$work/floor.sys" > "$work/floor.out" 2>&1; then
  cat "$work/floor.out"
  echo "import check: the driver does not link at its floor $floor ($arch)"
  exit 1
fi
out=$work/floor.out
if [ -n "$link_ntddi" ]; then
  out=$work/other.out
  bash "$kit/link-driver.sh" --arch "$arch" --ntddi "$link_ntddi" "$repo/driver/src" "$work/other.sys" > "$out" 2>&1 || {
    cat "$out"; echo "import check: the driver does not link at $link_ntddi ($arch)"; exit 1; }
fi

# Import lines are "  module!function"; exports.tsv is "name<TAB>module<TAB>...", module names as the loader sees them.
refused=$(awk -F'\t' 'NR == FNR { exported[tolower($2 "!" $1)] = 1; next }
  /^  [^ !]+![^ ]+$/ { sub(/^  /, ""); if (!(tolower($0) in exported)) print }' "$work/defs/exports.tsv" "$out")
imports=$(grep -cE '^  [^ !]+![^ ]+$' "$out")
if [ -n "$expect" ]; then
  if printf '%s\n' "$refused" | grep -q "!$expect\$"; then
    echo "import check refused $expect when linked at $link_ntddi, as it must (floor $floor, $arch)"
    exit 0
  fi
  echo "import check: $expect linked at ${link_ntddi:-the floor} was NOT refused; refused: ${refused:-nothing}" >&2
  exit 1
fi
if [ -n "$refused" ]; then
  printf '%s\n' "$refused" | sed "s/^/not exported by the floor $floor ($arch): /"
  exit 1
fi
echo "import check: all $imports imports of MonitorNetwork.sys are exported at the floor $floor ($arch)"
