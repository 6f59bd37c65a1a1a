#!/usr/bin/env bash
# Benchmark of the hook's pattern path (not run in CI): wall time and peak RSS of one PostToolUse(Write)
# hook run on a 1k-line and a 10k-line Python file, for `sg-lsp-hook`, `sg-lsp hook`, and a Python
# stand-in of the original plugin (interpreter start plus its 25 regexes: original_standin.py).
#
#   bash tests/hook/bench.sh            (builds the release binaries when missing)
#
# "cold": the first run of a freshly copied binary/script with an empty state dir (page cache warm,
# nothing else); "warm": the median of 30 runs after 5 warm-ups. Uses hyperfine when installed
# (apt-get install -y hyperfine), else a timing loop. Peak RSS from GNU time (`/usr/bin/time -f %M`).
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
(cd "$ROOT" && cargo build -q --release --bin sg-lsp --bin sg-lsp-hook)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/sg-lsp-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/proj" "$WORK/state" "$WORK/bin"
cp "$ROOT/target/release/sg-lsp-hook" "$ROOT/target/release/sg-lsp" "$HERE/original_standin.py" "$WORK/bin/"
export SECURITY_WARNINGS_STATE_DIR="$WORK/state" ENABLE_STOP_REVIEW=0

python3 - "$WORK" <<'PY'
import json, sys
work = sys.argv[1]
def source(n):
    out, i = ["import os, json, subprocess", "", ""], 0
    while len(out) < n:
        i += 1
        out += [f"def handler_{i}(request, data):",
                f"    value = request.args.get('v{i}')",
                f"    items = [x * {i} for x in range(10) if x % 2 == 0]",
                f"    result = json.loads(data) if data else {{'k': {i}, 'name': \"n{i}\"}}",
                f"    if value and len(items) > {i % 7}:",
                "        return eval(value)" if i % 50 == 0 else "        return str(value).strip()",
                "    return result", ""]
    return "\n".join(out[:n]) + "\n"
for name, lines in (("1k", 1000), ("10k", 10000)):
    path = f"{work}/proj/f{name}.py"
    text = source(lines)
    open(path, "w").write(text)
    payload = {"session_id": "bench-" + name, "cwd": f"{work}/proj", "hook_event_name": "PostToolUse",
               "tool_name": "Write", "tool_input": {"file_path": path, "content": text},
               "tool_response": {"type": "create", "filePath": path, "content": text, "structuredPatch": [],
                                 "originalFile": None},
               "tool_use_id": "toolu_bench_" + name}
    open(f"{work}/{name}.json", "w").write(json.dumps(payload))
PY

declare -A CMD=(
  [sg-lsp-hook]="$WORK/bin/sg-lsp-hook"
  [sg-lsp]="$WORK/bin/sg-lsp hook"
  [python-standin]="python3 $WORK/bin/original_standin.py"
)
ORDER=(sg-lsp-hook sg-lsp python-standin)

ms_now() { python3 -c 'import time; print(time.perf_counter() * 1000)'; }

# median_ms NAME SIZE -> median wall ms of 30 warm runs
median_ms() {
  local cmd=${CMD[$1]} input="$WORK/$2.json"
  if command -v hyperfine >/dev/null; then
    # Through a shell for the redirection (older hyperfine has no --input); hyperfine subtracts the
    # shell's own start-up time.
    hyperfine --style none --warmup 5 --runs 30 --export-json "$WORK/h.json" "$cmd < $input" >/dev/null 2>&1
    python3 -c 'import json,sys; print("%.2f" % (json.load(open(sys.argv[1]))["results"][0]["median"] * 1000))' "$WORK/h.json"
  else
    python3 - "$cmd" "$input" <<'PY'
import statistics, subprocess, sys, time
cmd, data = sys.argv[1].split(), open(sys.argv[2], "rb").read()
for _ in range(5):
    subprocess.run(cmd, input=data, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
times = []
for _ in range(30):
    t = time.perf_counter()
    subprocess.run(cmd, input=data, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times.append((time.perf_counter() - t) * 1000)
print("%.2f" % statistics.median(times))
PY
  fi
}

cold_ms() {
  rm -rf "$WORK/state" && mkdir -p "$WORK/state"
  python3 - "${CMD[$1]}" "$WORK/$2.json" <<'PY'
import subprocess, sys, time
cmd, data = sys.argv[1].split(), open(sys.argv[2], "rb").read()
t = time.perf_counter()
subprocess.run(cmd, input=data, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print("%.2f" % ((time.perf_counter() - t) * 1000))
PY
}

# cpu_ms NAME SIZE -> median user+system CPU ms of 20 warm runs (steadier than wall time on a busy machine)
cpu_ms() {
  python3 - "${CMD[$1]}" "$WORK/$2.json" <<'PY'
import resource, statistics, subprocess, sys
cmd, data = sys.argv[1].split(), open(sys.argv[2], "rb").read()
cpu = []
for i in range(25):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, input=data, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if i >= 5:
        cpu.append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000)
print("%.1f" % statistics.median(cpu))
PY
}

rss_kib() {
  # shellcheck disable=SC2086 # the command is a list of words
  /usr/bin/time -f %M ${CMD[$1]} <"$WORK/$2.json" 2>&1 >/dev/null | tail -1
}

printf '%-16s %-5s %10s %10s %10s %12s\n' command file cold_ms warm_ms cpu_ms peak_rss_kib
declare -A WARM CPU
for size in 1k 10k; do
  for name in "${ORDER[@]}"; do
    cold=$(cold_ms "$name" "$size")
    warm=$(median_ms "$name" "$size")
    cpu=$(cpu_ms "$name" "$size")
    rss=$(rss_kib "$name" "$size")
    WARM[$name.$size]=$warm
    CPU[$name.$size]=$cpu
    printf '%-16s %-5s %10s %10s %10s %12s\n' "$name" "$size" "$cold" "$warm" "$cpu" "$rss"
  done
done
for size in 1k 10k; do
  python3 -c 'import sys; w, pw, c, pc = map(float, sys.argv[2:]); print("%s: python stand-in / sg-lsp-hook = %.1fx (warm wall), %.1fx (cpu)" % (sys.argv[1], pw / w, pc / c))' \
    "$size" "${WARM[sg-lsp-hook.$size]}" "${WARM[python-standin.$size]}" "${CPU[sg-lsp-hook.$size]}" "${CPU[python-standin.$size]}"
done
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
