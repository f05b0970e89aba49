#!/usr/bin/env python3
"""What MSBuild and the Windows workflow will do with the driver, checked as text on any OS.

MSBuild keeps the last definition of a target whatever its Condition, so a Build target written in the project after
Microsoft.Cpp.targets replaces the real one on Windows and no .sys is built. This reads the project, the solution and
the workflow the way MSBuild and GitHub Actions would, and fails on each way we know to lose the driver silently.
Usage: check_windows_build.py REPO_ROOT
"""
import re
import sys
import xml.etree.ElementTree as ET

NS = "{http://schemas.microsoft.com/developer/msbuild/2003}"
FLOOR_MAX = 0x0A000006  # Windows 10 1809 / Server 2019: the newest floor we may declare
FLOOR_MIN = 0x0A000004  # 1709: the version-3 callout API does not compile below it


def fail(problems, message):
    problems.append(message)


def check_project(root, problems):
    tree = ET.parse(f"{root}/driver/MonitorNetwork.Driver.vcxproj")
    project = tree.getroot()
    children = list(project)
    if any(c.tag == NS + "Target" for c in children):
        fail(problems, "the .vcxproj defines a Target itself: MSBuild would let it replace Microsoft.Cpp.targets' own")
    imports = [(i, c.get("Project"), c.get("Condition") or "") for i, c in enumerate(children) if c.tag == NS + "Import"]
    props = [i for i, p, _ in imports if p.endswith("Microsoft.Cpp.props")]
    targets = [(i, cond) for i, p, cond in imports if p.endswith("Microsoft.Cpp.targets")]
    not_windows = [(i, cond) for i, p, cond in imports if p == "NotWindows.targets"]
    if len(props) != 1 or len(targets) != 1:
        fail(problems, "Microsoft.Cpp.props and Microsoft.Cpp.targets must each be imported once")
        return
    if not targets[0][1].strip() or "== 'true'" not in targets[0][1]:
        fail(problems, "Microsoft.Cpp.targets must be imported on Windows (Condition ... == 'true')")
    if not not_windows or "!= 'true'" not in not_windows[0][1]:
        fail(problems, "NotWindows.targets must be imported only off Windows (Condition ... != 'true')")
    # The floor: _NT_TARGET_VERSION next to TargetVersion, before Microsoft.Cpp.props is imported.
    floor = None
    for i, c in enumerate(children[: props[0]]):
        if c.tag != NS + "PropertyGroup":
            continue
        names = {p.tag[len(NS):]: (p.text or "").strip() for p in c}
        if "_NT_TARGET_VERSION" in names:
            if "TargetVersion" not in names:
                fail(problems, "_NT_TARGET_VERSION must sit next to TargetVersion")
            floor = int(names["_NT_TARGET_VERSION"], 16)
    if floor is None:
        fail(problems, "no _NT_TARGET_VERSION before Microsoft.Cpp.props: the WDK would target its newest Windows")
    elif not FLOOR_MIN <= floor <= FLOOR_MAX:
        fail(problems, f"the declared floor 0x{floor:08X} is outside 0x{FLOOR_MIN:08X}..0x{FLOOR_MAX:08X}")
    text = open(f"{root}/driver/MonitorNetwork.Driver.vcxproj", encoding="utf-8").read()
    for platform in ("x64", "ARM64"):
        if f"Release|{platform}" not in text:
            fail(problems, f"the project has no Release|{platform} configuration")
    not_windows_text = open(f"{root}/driver/NotWindows.targets", encoding="utf-8").read()
    if "<Target Name=\"Build\"" not in not_windows_text:
        fail(problems, "NotWindows.targets must give the Build target off Windows")
    return floor


def check_solution(root, problems):
    sln = open(f"{root}/MonitorNetwork.sln", encoding="utf-8-sig").read()
    guid = re.search(r'"MonitorNetwork\.Driver", "driver\\MonitorNetwork\.Driver\.vcxproj", "(\{[0-9A-F-]+\})"', sln)
    if not guid:
        fail(problems, "the solution does not contain the driver project")
        return
    g = re.escape(guid.group(1))
    for platform in ("x64", "ARM64"):
        if not re.search(rf"{g}\.Release\|{platform}\.Build\.0 = Release\|{platform}", sln):
            fail(problems, f"the solution's Release|{platform} does not build the driver for {platform}")
    if re.search(rf"{g}\.\w+\|Any CPU\.Build\.0", sln):
        fail(problems, "the solution builds the driver for Any CPU, which dotnet build uses on Linux")


def check_workflow(root, problems):
    wf = open(f"{root}/.github/workflows/windows.yml", encoding="utf-8").read()
    if re.search(r"runs-on:\s*windows-latest", wf):
        fail(problems, "the workflow's runner is not pinned (windows-latest)")
    if "platform: [x64, ARM64]" not in wf:
        fail(problems, "the workflow does not build both x64 and ARM64")
    if "msbuild MonitorNetwork.sln" not in wf:
        fail(problems, "the workflow does not build the solution")
    if "if-no-files-found: error" not in wf:
        fail(problems, "upload-artifact only warns when the .sys is missing: set if-no-files-found: error")
    if "Test-Path $sys" not in wf:
        fail(problems, "the workflow does not fail when the .sys is missing")
    for arch in ("x64", "ARM64"):
        if f"driver/{arch}" not in wf.replace("${{ matrix.platform }}", arch):
            fail(problems, f"the workflow uploads no driver/{arch} output")


def check_sources(root, problems):
    """Every driver source is in the project and in the harness. A .c the project lacks still compiles and links in the
    kit's checks (they take the whole directory), but MSBuild would leave it out and fail to link on Windows."""
    import os
    tree = ET.parse(f"{root}/driver/MonitorNetwork.Driver.vcxproj")
    listed = {c.get("Include").replace("\\", "/") for c in tree.getroot().iter() if c.tag in (NS + "ClCompile", NS + "ClInclude") and c.get("Include")}
    harness = open(f"{root}/tests/driver-harness/CMakeLists.txt", encoding="utf-8").read()
    for name in sorted(os.listdir(f"{root}/driver/src")):
        if not name.endswith((".c", ".h")):
            continue
        if f"src/{name}" not in listed:
            fail(problems, f"driver/src/{name} is not in MonitorNetwork.Driver.vcxproj (ClCompile or ClInclude)")
        if name.endswith(".c") and "${DRIVER_SRC}/" + name not in harness:
            fail(problems, f"driver/src/{name} is not built by the driver harness (tests/driver-harness/CMakeLists.txt)")
    for item in sorted(listed):
        if not os.path.exists(f"{root}/driver/{item}"):
            fail(problems, f"MonitorNetwork.Driver.vcxproj lists {item}, which does not exist")


def main():
    root = sys.argv[1]
    problems = []
    floor = check_project(root, problems)
    check_solution(root, problems)
    check_workflow(root, problems)
    check_sources(root, problems)
    for p in problems:
        print(f"windows build: {p}")
    if problems:
        return 1
    print(f"windows build: the project builds MonitorNetwork.sys for x64 and ARM64 at floor 0x{floor:08X}; "
          "the workflow fails without it")
    return 0


if __name__ == "__main__":
    sys.exit(main())
