"""A stand-in for the original plugin's PostToolUse pattern hook, for benchmarks only.

What it reproduces, from the research notes on security-guidance v2.0.7: start the interpreter, read
the event, take the edit's new text (Write content, Edit new_string, MultiEdit new_strings), run its
25 rules (path gates, substrings, `re` regexes with lookbehind) over that text, de-duplicate through a
JSON state file, and print the reminder JSON. It does not bootstrap a virtualenv or call any model.
"""

import json
import os
import re
import sys

JS = (".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs", ".mts", ".cts", ".vue", ".svelte")
PY = (".py", ".pyi", ".ipynb")
DOC = (".md", ".mdx", ".txt", ".rst", ".json", ".yaml", ".yml")

# (name, gate, substrings, regex)
RULES = [
    ("github_actions_workflow", "workflow", [], None),
    ("child_process_exec", "js", ["child_process.exec", "execSync("], r"(?<![a-zA-Z0-9_\.])exec\("),
    ("new_function_injection", "js", ["new Function"], None),
    ("eval_injection", "notdoc", [], r"(?<![a-zA-Z0-9_\.])eval\("),
    ("react_dangerously_set_html", "js", ["dangerouslySetInnerHTML"], None),
    ("document_write_xss", "js", ["document.write"], None),
    ("innerHTML_xss", "js", [".innerHTML =", ".innerHTML="], None),
    ("pickle_deserialization", "py", [], r"(?<![a-zA-Z0-9_])pickle\.(loads?|Unpickler)\b|(?<![a-zA-Z0-9_])pkl_load\("),
    ("os_system_injection", "py", ["from os import system"], r"\bos\.system\s*\("),
    ("python_subprocess_shell", "all", [], r"subprocess\.(?:run|call|Popen|check_output|check_call)\(.*shell\s*=\s*True"),
    ("go_exec_shell_injection", "all", [], r'exec\.Command\(\s*"(?:sh|bash|/bin/sh|/bin/bash)"'),
    ("unsafe_yaml_load", "all", [], r"\byaml\.load\s*\((?![^)\n]{0,80}\bSafe)"),
    ("node_createcipher_no_iv", "all", [], r"\bcrypto\.(createCipher|createDecipher)\b"),
    ("aes_ecb_mode", "all", [], r"\bAES\.MODE_ECB\b|\bmodes\.ECB\s*\(|[\"']aes-\d+-ecb[\"']"),
    ("tls_verification_disabled", "all", [], r"verify\s*=\s*False|rejectUnauthorized\s*:\s*false|InsecureSkipVerify\s*:\s*true"
     r"|NODE_TLS_REJECT_UNAUTHORIZED\s*=\s*['\"]?0|ssl\._create_unverified_context|check_hostname\s*=\s*False"),
    ("marshal_loads", "all", [], r"\bmarshal\.loads?\s*\("),
    ("shelve_open", "all", [], r"\bshelve\.open\s*\("),
    ("xml_unsafe_parse", "all", [], r"\b(?:xml\.etree\.ElementTree|ElementTree|ET)\.(?:parse|fromstring|XML)\s*\("
     r"|\bminidom\.parse(?:String)?\s*\(|\bxml\.sax\.(?:parse|make_parser)\s*\("),
    ("pickle_variants_load", "all", [], r"\b(cPickle|cloudpickle|dill)\.(load|loads)\s*\("),
    ("outerHTML_xss", "js", [".outerHTML =", ".outerHTML="], None),
    ("insertAdjacentHTML_xss", "js", [".insertAdjacentHTML("], None),
    ("script_src_without_sri", "all", [], r"<script\b(?![^>]{0,400}\bintegrity=)[^>]*\bsrc=[\"'](?:https?:)?//"),
    ("torch_unsafe_load", "all", [], r"(?:\btorch\.load|\.torch_load)\s*\((?![^)\n]{0,200}weights_only\s*=\s*True)"),
    ("yaml_unsafe_load_variants", "all", [], r"(?:\byaml\.unsafe_load|\.yaml_unsafe_load)\s*\("),
    ("pickle_wrapper_load", "all", [], r"\bjoblib\.load\s*\(|\b(?:pd|pandas)\.read_pickle\s*\(|\.cloudpickle_load\s*\("
     r"|\b(?:np|numpy)\.load\s*\([^)]*allow_pickle\s*=\s*True"),
]


def gate(kind, path):
    if kind == "js":
        return path.endswith(JS)
    if kind == "py":
        return path.endswith(PY)
    if kind == "notdoc":
        return not path.endswith(DOC)
    if kind == "workflow":
        return ".github/workflows/" in path and path.endswith((".yml", ".yaml"))
    return True


def main():
    event = json.load(sys.stdin)
    tool_input = event.get("tool_input", {})
    path = (tool_input.get("file_path") or tool_input.get("notebook_path") or "").lstrip("/")
    if event.get("tool_name") == "MultiEdit":
        content = " ".join(e.get("new_string", "") for e in tool_input.get("edits", []))
    else:
        content = tool_input.get("content") or tool_input.get("new_string") or ""
    hits = []
    for name, kind, substrings, regex in RULES:
        if not gate(kind, path):
            continue
        if kind == "workflow" or any(s in content for s in substrings) or (regex and re.search(regex, content)):
            hits.append(name)
    state_dir = os.environ.get("SECURITY_WARNINGS_STATE_DIR", "/tmp")
    state_path = os.path.join(state_dir, "standin_state_%s.json" % event.get("session_id", "x"))
    try:
        with open(state_path) as f:
            shown = set(json.load(f))
    except (OSError, ValueError):
        shown = set()
    fresh = [h for h in hits if "%s-%s" % (path, h) not in shown]
    if fresh:
        shown.update("%s-%s" % (path, h) for h in fresh)
        with open(state_path + ".tmp", "w") as f:
            json.dump(sorted(shown), f)
        os.replace(state_path + ".tmp", state_path)
        text = "[from security-guidance@claude-code-plugins plugin]\n\n" + "\n\n".join("Reminder: " + h for h in fresh)
        print(json.dumps({"hookSpecificOutput": {"hookEventName": "PostToolUse", "additionalContext": text}}))


if __name__ == "__main__":
    main()
