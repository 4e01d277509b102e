#!/usr/bin/env bash
# Checks that the Swift code blocks of the README and of the DocC articles are code that compiles:
# every ```swift block of README.md, Examples/*/README.md and Sources/DBOS/Documentation.docc/*.md
# follows a marker `<!-- snippet: NAME -->` and equals the regions `// snippet: NAME` ...
# `// end snippet` of Tests/DocSnippets/*.swift (concatenated, each without its common
# indentation), or follows `<!-- not compiled: why -->`. Every region must be used by a block.
# The target DocSnippets is built by `swift build` with the rest of the package; `--build` builds
# it here too (incremental: only that target and what it depends on).
# Prints `PASS snippets: ...` or `FAIL snippets: ...` last; exit status 0 or 1.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

python3 - <<'PY'
import glob, re, sys, textwrap, difflib

def dedent(lines):
    text = "\n".join(lines)
    return textwrap.dedent(text).split("\n") if lines else []

regions = {}        # name -> list of lines, regions concatenated in file order
where = {}
for path in sorted(glob.glob("Tests/DocSnippets/*.swift")):
    lines = open(path, encoding="utf-8").read().split("\n")
    name = None
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        match = re.fullmatch(r"// snippet: ([A-Za-z0-9_.-]+)", stripped)
        if match:
            if name: sys.exit(f"FAIL snippets: {path}:{number}: region '{match.group(1)}' opens inside '{name}'")
            name, body, start = match.group(1), [], number
            continue
        if stripped == "// end snippet":
            if not name: sys.exit(f"FAIL snippets: {path}:{number}: 'end snippet' without a region")
            regions.setdefault(name, []).extend(dedent(body))
            where.setdefault(name, f"{path}:{start}")
            name = None
            continue
        if name is not None:
            body.append(line)
    if name: sys.exit(f"FAIL snippets: {path}: region '{name}' is not closed")

documents = ["README.md"] + sorted(glob.glob("Examples/*/README.md")) + sorted(glob.glob("Sources/DBOS/Documentation.docc/*.md"))
problems, used, checked, unchecked = [], set(), 0, 0
for path in documents:
    lines = open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        if lines[i].strip() == "```swift":
            start = i + 1
            end = start
            while end < len(lines) and lines[end].strip() != "```": end += 1
            block = lines[start:end]
            previous = next((lines[k].strip() for k in range(i - 1, -1, -1) if lines[k].strip()), "")
            marker = re.fullmatch(r"<!-- snippet: ([A-Za-z0-9_.-]+) -->", previous)
            if marker:
                name = marker.group(1)
                used.add(name)
                expected = regions.get(name)
                if expected is None:
                    problems.append(f"{path}:{i + 1}: no region '{name}' in Tests/DocSnippets")
                else:
                    # A region may end with blank lines that only separate it from the next one.
                    want = list(expected)
                    while want and not want[-1].strip(): want.pop()
                    if block != want:
                        diff = "\n".join(difflib.unified_diff(want, block, f"{where[name]} ({name})", f"{path}:{start + 1}", lineterm=""))
                        problems.append(f"{path}:{i + 1}: block '{name}' differs from its regions:\n{diff}")
                    checked += 1
            elif re.fullmatch(r"<!-- not compiled: .+ -->", previous):
                unchecked += 1
            else:
                problems.append(f"{path}:{i + 1}: a ```swift block without <!-- snippet: NAME --> or <!-- not compiled: why -->")
            i = end
        i += 1
for name in sorted(set(regions) - used):
    problems.append(f"{where[name]}: region '{name}' is used by no document")
for problem in problems:
    print(problem)
if problems:
    print(f"FAIL snippets: {len(problems)} problem(s) in {len(documents)} documents")
    sys.exit(1)
print(f"PASS snippets: {checked} Swift blocks match Tests/DocSnippets ({unchecked} marked not compiled) in {len(documents)} documents")
PY

if [ "${1:-}" = "--build" ]; then
  # pipefail: the status is swift build's.
  if ! swift build --target DocSnippets 2>&1 | tail -n 40; then
    echo "FAIL snippets: Tests/DocSnippets does not compile"; exit 1
  fi
  echo "PASS snippets: Tests/DocSnippets compiles"
fi
