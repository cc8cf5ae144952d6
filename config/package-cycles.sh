#!/usr/bin/env bash
# Counts package cycles in compiled classes with jdeps (issue #13 before/after numbers; the build's own check is
# broker's PackageCyclesTest). Usage: config/package-cycles.sh [classes-dir] [package-prefix]
#   default: broker/target/classes io.delegatebroker.broker  (compile first: mvn -B -q -o compile -pl broker -am)
# Prints, at two groupings (full package; top level under the prefix), the packages, the dependency edges, the pairs
# that import each other directly, and the pairs that depend on each other directly or through others (same strongly
# connected component), with the components.
set -euo pipefail
classes="${1:-broker/target/classes}"
prefix="${2:-io.delegatebroker.broker}"
jdeps -verbose:package -e "${prefix//./\\.}(\\..*)?" "$classes" | python3 -c '
import re, sys, itertools
prefix = sys.argv[1]
edges = set()
for line in sys.stdin:
    m = re.match(r"\s+(\S+)\s+->\s+(\S+)", line)
    if m and m.group(1) != m.group(2) and m.group(1).startswith(prefix) and m.group(2).startswith(prefix):
        edges.add((m.group(1), m.group(2)))
def top(p):
    rest = p[len(prefix):].lstrip(".")
    return prefix + ("." + rest.split(".")[0] if rest else "")
def report(name, es):
    es = {(a, b) for a, b in es if a != b}
    nodes = sorted({n for e in es for n in e})
    succ = {n: {b for a, b in es if a == n} for n in nodes}
    def reach(n):
        seen, todo = set(), [n]
        while todo:
            for m in succ[todo.pop()]:
                if m not in seen:
                    seen.add(m); todo.append(m)
        return seen
    r = {n: reach(n) for n in nodes}
    direct = [(a, b) for a, b in itertools.combinations(nodes, 2) if (a, b) in es and (b, a) in es]
    mutual = [(a, b) for a, b in itertools.combinations(nodes, 2) if b in r[a] and a in r[b]]
    comps = {frozenset([n] + [m for m in nodes if m in r[n] and n in r[m]]) for n in nodes}
    comps = [sorted(c) for c in comps if len(c) > 1]
    short = lambda p: p[len(prefix) + 1:] or "(root)"
    print(f"{name}: {len(nodes)} packages, {len(es)} edges; pairs importing each other directly: {len(direct)}; "
          f"pairs depending on each other (directly or through others): {len(mutual)}")
    for a, b in direct:
        print(f"  direct: {short(a)} <-> {short(b)}")
    for c in comps:
        print(f"  cycle through {len(c)}: " + ", ".join(short(p) for p in c))
report("full packages", edges)
report("top level", {(top(a), top(b)) for a, b in edges})
' "$prefix"
