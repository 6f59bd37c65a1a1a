"""Checks one e2e scenario run: python3 check.py SCENARIO.json RUN_DIR CLI_EXIT_CODE

RUN_DIR holds requests.jsonl (the mock's log), out.jsonl (Claude Code's stream-json), proj/ (the project).
Prints one line per check ("ok  ..." or "FAIL ...") and exits 1 when any failed.
"""

import json
import os
import sys


def review_checks(review, reviews, hooks, main_loop):
    """The Stop review: the reviewer's request, the hook's exit 2 and block JSON, and the findings
    reaching the model in a later request."""
    checks = [("sg-lsp's reviewer asked the mock once (tools hold report_findings)", len(reviews) == 1)]
    sent = json.dumps(reviews[0]["body"]) if reviews else ""
    for needle in review.get("sent", []):
        checks.append(("the review request holds %r (the turn's change)" % needle, needle in sent))
    for needle in review.get("not_sent", []):
        checks.append(("the review request lacks %r (in the baseline)" % needle, needle not in sent))
    blocked = [h for h in hooks if h.get("hook_event") == "Stop" and h.get("exit_code") == 2]
    checks.append(("the Stop hook exited 2 (hook_response event)", len(blocked) == 1))
    block = {}
    stderr = blocked[0].get("stderr", "") if blocked else ""
    if blocked:
        lines = [l for l in blocked[0].get("stdout", "").splitlines() if l.strip()]
        try:
            block = json.loads(lines[0]) if len(lines) == 1 else {}
        except ValueError:
            block = {}
    checks.append(("its stdout is one JSON line with decision block",
                   block.get("decision") == "block" and bool(block.get("reason"))))
    summary = block.get("rewakeSummary", "")
    checks.append(("its rewakeSummary is %r (<= 280 chars)" % review["summary"],
                   summary == review["summary"] and len(summary) <= 280))
    checks.append(("its stderr is the reason", stderr.strip() == block.get("reason", "").strip() != ""))
    later = "\n".join(json.dumps(r["body"].get("messages", [])) for r in main_loop)
    for needle in review.get("text", []):
        checks.append(("the findings text holds %r" % needle, needle in block.get("reason", "")))
        checks.append(("the model was sent %r in a later request" % needle, needle in later))
    return checks


def commit_review_checks(review, reviews, hooks, main_loop):
    """The commit review: the agent's requests, the PostToolUse Bash hook's exit 2 with one
    additionalContext JSON line, and the findings reaching the model in a later request."""
    # The agent's requests offer Read (the language server's review on save offers report_findings only).
    reviews = [r for r in reviews if any(t.get("name") == "Read" for t in r["body"].get("tools", []))]
    checks = [("sg-lsp's agent asked the mock (investigate + refute: 2 requests)", len(reviews) == 2)]
    sent = json.dumps(reviews[0]["body"]) if reviews else ""
    for needle in review.get("sent", []):
        checks.append(("the first agent request holds %r (the commit's diff)" % needle, needle in sent))
    woke = [h for h in hooks if h.get("hook_event") == "PostToolUse" and h.get("exit_code") == 2]
    checks.append(("the PostToolUse Bash hook exited 2 (hook_response event)", len(woke) == 1))
    context = ""
    if woke:
        lines = [l for l in woke[0].get("stdout", "").splitlines() if l.strip()]
        try:
            out = json.loads(lines[0]) if len(lines) == 1 else {}
        except ValueError:
            out = {}
        specific = out.get("hookSpecificOutput", {})
        if specific.get("hookEventName") == "PostToolUse":
            context = specific.get("additionalContext", "")
    checks.append(("its stdout is one JSON line with additionalContext", bool(context)))
    later = "\n".join(json.dumps(r["body"].get("messages", [])) for r in main_loop)
    for needle in review.get("text", []):
        checks.append(("the commit review text holds %r" % needle, needle in context))
        checks.append(("the model was sent %r in a later request" % needle, needle in later))
    return checks


def main():
    scenario = json.load(open(sys.argv[1], encoding="utf-8"))
    run, cli_exit = sys.argv[2], int(sys.argv[3])
    expect = scenario["expect"]
    requests = [json.loads(line) for line in open(os.path.join(run, "requests.jsonl"), encoding="utf-8")]
    posts = [r for r in requests if r.get("method") == "POST"]
    main_loop = [r for r in posts if r.get("answer", {}).get("label", "side") not in ("side", "review")]
    reviews = [r for r in posts if r.get("answer", {}).get("label") == "review"]
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
    review = expect.get("review")
    commit_review = expect.get("commit_review")
    # Exit 2 is findings: only the review a scenario expects findings from may say it.
    checks.append(("no sg-lsp hook exited non-zero" + (" (but the review's 2)" if review or commit_review else ""),
                   all(h.get("exit_code") == 0
                       or (review and h.get("hook_event") == "Stop" and h.get("exit_code") == 2)
                       or (commit_review and h.get("hook_event") == "PostToolUse" and h.get("exit_code") == 2)
                       for h in hooks)))
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
    if review:
        checks.extend(review_checks(review, reviews, hooks, main_loop))
    elif commit_review:
        checks.extend(commit_review_checks(commit_review, reviews, hooks, main_loop))
    else:
        checks.append(("Stop was not blocked", "Stop hook feedback" not in everything
                       and not any(h.get("hook_event") == "Stop" and h.get("exit_code") != 0 for h in hooks)))
        checks.append(("the Stop review found nothing to block on",
                       all(r["answer"]["content"][0]["input"].get("findings") == [] for r in reviews)))
    checks.append(("the model finished with %r" % expect["final"], result.get("result") == expect["final"]))

    for name, passed in checks:
        print(("  ok   " if passed else "  FAIL ") + name)
    sys.exit(0 if all(passed for _, passed in checks) else 1)


if __name__ == "__main__":
    main()
