"""Loopback mock of the Anthropic Messages API that plays a scripted model (Python standard library only).

    python3 mock_messages.py --script turns.json --log requests.jsonl --project DIR --port-file PORT

turns.json is {"turns": [TURN, ...]}; TURN number i answers the main-loop request that already holds i
assistant messages (Claude Code also puts role "system" entries in `messages`, so only assistant turns
are counted). A TURN is {"content": [BLOCK, ...], "stop_reason": "tool_use" | "end_turn"}; a BLOCK is
{"type": "text", "text": ...} or {"type": "tool_use", "name": ..., "input": {...}}. "{{PROJECT}}" in any
string becomes --project. Requests without tools (side queries) get a short text answer.

sg-lsp's own Stop review reaches the same mock (the hook inherits ANTHROPIC_BASE_URL): a request whose
`tools` hold `report_findings` is the reviewer's, and is answered with one `report_findings` tool call
whose input is the scenario's "review" object (default {"findings": []}), labelled "review" in the log,
after "review_delay_ms" milliseconds when the scenario sets it (a slow reviewer).

Every request is appended to --log as one JSON line (body and chosen answer; credentials redacted):
that file is what the test asserts on. Answers stream as SSE when the request asks for it.
"""

import argparse
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

REDACT = {"x-api-key", "authorization", "cookie", "proxy-authorization"}
LOCK = threading.Lock()
OPTS = None
TURNS = []
REVIEW = {"findings": []}
SCRIPT_OPTS = {}


def record(entry):
    entry["t"] = round(time.time(), 3)
    with LOCK, open(OPTS.log, "a", encoding="utf-8") as log:
        log.write(json.dumps(entry) + "\n")


def fill(value):
    if isinstance(value, str):
        return value.replace("{{PROJECT}}", OPTS.project)
    if isinstance(value, list):
        return [fill(v) for v in value]
    if isinstance(value, dict):
        return {k: fill(v) for k, v in value.items()}
    return value


def choose(body):
    """The answer for this request: (label, turn)."""
    if not body.get("tools"):
        return "side", {"content": [{"type": "text", "text": "ok"}], "stop_reason": "end_turn"}
    if any(tool.get("name") == "report_findings" for tool in body["tools"]):
        block = {"type": "tool_use", "id": "toolu_review_" + uuid.uuid4().hex[:16], "name": "report_findings",
                 "input": fill(REVIEW)}
        return "review", {"content": [block], "stop_reason": "tool_use"}
    done = sum(1 for m in body.get("messages") or [] if m.get("role") == "assistant")
    if done >= len(TURNS):
        return "extra", {"content": [{"type": "text", "text": "Nothing more to do."}], "stop_reason": "end_turn"}
    turn = fill(TURNS[done])
    for block in turn["content"]:
        if block["type"] == "tool_use":
            block.setdefault("id", "toolu_mock_" + uuid.uuid4().hex[:20])
    return "turn%d" % done, turn


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def headers_seen(self):
        return {k: ("<redacted>" if k.lower() in REDACT else v) for k, v in self.headers.items()}

    def reply_json(self, status, obj):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_HEAD(self):
        record({"method": "HEAD", "path": self.path})
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        record({"method": "GET", "path": self.path})
        self.reply_json(200, {})

    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            body = {"unparsed": raw.decode("utf-8", "replace")}
        path = self.path.split("?")[0]
        entry = {"method": "POST", "path": self.path, "headers": self.headers_seen(), "body": body}
        if path.endswith("/v1/messages/count_tokens"):
            record(entry)
            return self.reply_json(200, {"input_tokens": max(1, len(raw) // 4)})
        if not path.endswith("/v1/messages"):
            record(entry)
            return self.reply_json(404, {"type": "error", "error": {"type": "not_found_error", "message": "mock"}})
        label, turn = choose(body)
        entry["answer"] = dict(turn, label=label)
        record(entry)
        if label == "review" and SCRIPT_OPTS.get("review_delay_ms"):
            time.sleep(SCRIPT_OPTS["review_delay_ms"] / 1000.0)
        blocks, stop = turn["content"], turn.get("stop_reason", "end_turn")
        message = {
            "id": "msg_mock_" + uuid.uuid4().hex[:20], "type": "message", "role": "assistant",
            "model": body.get("model", "mock"), "content": [], "stop_reason": None, "stop_sequence": None,
            "usage": {"input_tokens": 10, "output_tokens": 1},
        }
        if not body.get("stream"):
            return self.reply_json(200, dict(message, content=blocks, stop_reason=stop))
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

        def event(name, data):
            payload = ("event: %s\ndata: %s\n\n" % (name, json.dumps(data))).encode()
            self.wfile.write(b"%x\r\n%s\r\n" % (len(payload), payload))
            self.wfile.flush()

        event("message_start", {"type": "message_start", "message": message})
        for i, block in enumerate(blocks):
            if block["type"] == "text":
                event("content_block_start", {"type": "content_block_start", "index": i,
                                              "content_block": {"type": "text", "text": ""}})
                event("content_block_delta", {"type": "content_block_delta", "index": i,
                                              "delta": {"type": "text_delta", "text": block["text"]}})
            else:
                event("content_block_start", {"type": "content_block_start", "index": i, "content_block": {
                    "type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}})
                text = json.dumps(block["input"])
                half = len(text) // 2
                for part in (text[:half], text[half:]):
                    event("content_block_delta", {"type": "content_block_delta", "index": i,
                                                  "delta": {"type": "input_json_delta", "partial_json": part}})
            event("content_block_stop", {"type": "content_block_stop", "index": i})
        event("message_delta", {"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": None},
                                "usage": {"output_tokens": 5}})
        event("message_stop", {"type": "message_stop"})
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


def main():
    global OPTS, TURNS, REVIEW, SCRIPT_OPTS
    parser = argparse.ArgumentParser()
    parser.add_argument("--script", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--project", default="")
    parser.add_argument("--port-file", required=True)
    OPTS = parser.parse_args()
    with open(OPTS.script, encoding="utf-8") as f:
        script = json.load(f)
    TURNS = script["turns"]
    REVIEW = script.get("review", REVIEW)
    SCRIPT_OPTS = script
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    with open(OPTS.port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    import os
    os.replace(OPTS.port_file + ".tmp", OPTS.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
