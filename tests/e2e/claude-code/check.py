"""Checks one e2e scenario run: python3 check.py SCENARIO.json RUN_DIR CLI_EXIT_CODE

RUN_DIR holds requests.jsonl (the mock's log), out.jsonl (Claude Code's stream-json), proj/ (the project).
Prints one line per check ("ok  ..." or "FAIL ...") and exits 1 when any failed.
"""

import json
import os
import sys


def main():
    scenario = json.load(open(sys.argv[1], encoding="utf-8"))
    run, cli_exit = sys.argv[2], int(sys.argv[3])
    expect = scenario["expect"]
    requests = [json.loads(line) for line in open(os.path.join(run, "requests.jsonl"), encoding="utf-8")]
    main_loop = [r for r in requests if r.get("method") == "POST" and r.get("answer", {}).get("label", "side") != "side"]
    events = []
    for line in open(os.path.join(run, "out.jsonl"), encoding="utf-8"):
        try:
            events.append(json.loads(line))
        except ValueError:
            pass
    hooks = [e for e in events if e.get("type") == "system" and e.get("subtype") == "hook_response"]
    result = next((e for e in reversed(events) if e.get("type") == "result"), {})

    # What the model saw after its first tool call: every main-loop request after the first one.
    after_tool = "\n".join(json.dumps(r["body"].get("messages", [])) for r in main_loop[1:])
    everything = "\n".join(json.dumps(r.get("body", {})) for r in requests)

    checks = []
    checks.append(("claude exited 0", cli_exit == 0))
    checks.append(("the plugin's hooks ran (UserPromptSubmit, PostToolUse, Stop)",
                   {"UserPromptSubmit", "PostToolUse", "Stop"} <= {h.get("hook_event") for h in hooks}
                   or ({"UserPromptSubmit", "PreToolUse", "Stop"} <= {h.get("hook_event") for h in hooks}
                       and "no_file" in expect)))
    checks.append(("no sg-lsp hook exited non-zero", all(h.get("exit_code") == 0 for h in hooks)))
    if expect["warning"]:
        for needle in expect["warning"]:
            checks.append(("the model was told %r" % needle, needle in after_tool))
    else:
        checks.append(("no sg-lsp warning reached the model", "sg-lsp security guidance" not in everything))
    if "file" in expect:
        checks.append(("%s was written" % expect["file"], os.path.exists(os.path.join(run, "proj", expect["file"]))))
    if "no_file" in expect:
        checks.append(("%s was not written" % expect["no_file"],
                       not os.path.exists(os.path.join(run, "proj", expect["no_file"]))))
    checks.append(("Stop was not blocked", "Stop hook feedback" not in everything
                   and not any(h.get("hook_event") == "Stop" and h.get("exit_code") != 0 for h in hooks)))
    checks.append(("the model finished with %r" % expect["final"], result.get("result") == expect["final"]))

    for name, passed in checks:
        print(("  ok   " if passed else "  FAIL ") + name)
    sys.exit(0 if all(passed for _, passed in checks) else 1)


if __name__ == "__main__":
    main()
