// sg-lsp for VS Code: finds the `sg-lsp` binary and runs it as a language server. The rules, the
// quick fixes and the settings' meaning all live in the server; this only launches it and shows its state.
import * as fs from "fs";
import * as path from "path";
import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
  TransportKind,
} from "vscode-languageclient/node";

const LANGUAGES = ["python", "javascript", "javascriptreact", "typescript", "typescriptreact", "yaml"];

let client: LanguageClient | undefined;
let status: vscode.StatusBarItem;
let output: vscode.LogOutputChannel;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel("sg-lsp", { log: true });
  status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Right, 100);
  status.command = "sgLsp.showOutput";
  context.subscriptions.push(
    output,
    status,
    vscode.commands.registerCommand("sgLsp.showOutput", () => output.show(true)),
    vscode.commands.registerCommand("sgLsp.restart", async () => {
      await stop();
      await start(context);
    }),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      // Rule settings reach the running server through didChangeConfiguration; a new binary needs a restart.
      if (event.affectsConfiguration("sgLsp.path")) {
        await stop();
        await start(context);
      }
    }),
  );
  await start(context);
}

export async function deactivate(): Promise<void> {
  await stop();
}

/** `sgLsp.path`, else `sg-lsp` on PATH, else the binary bundled in the extension's `bin/`. */
export function findBinary(configured: string, extensionPath: string, env = process.env): string | undefined {
  if (configured) {
    return configured;
  }
  const exe = process.platform === "win32" ? "sg-lsp.exe" : "sg-lsp";
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, exe))) {
      return path.join(dir, exe);
    }
  }
  const bundled = path.join(extensionPath, "bin", exe);
  return isExecutable(bundled) ? bundled : undefined;
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The `sgLsp` settings the server reads (the binary's path is ours alone). */
function serverSettings(): Record<string, unknown> {
  const config = vscode.workspace.getConfiguration("sgLsp");
  return {
    rules: { disable: config.get("rules.disable", []), severity: config.get("rules.severity", {}) },
    exclude: config.get("exclude", []),
    maxFileSize: config.get("maxFileSize"),
    workspaceScan: config.get("workspaceScan"),
    positionEncoding: config.get("positionEncoding"),
    review: { onSave: config.get("review.onSave") ?? undefined, idleSeconds: config.get("review.idleSeconds") },
  };
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const configured = vscode.workspace.getConfiguration("sgLsp").get<string>("path", "");
  const binary = findBinary(configured, context.extensionPath);
  if (!binary) {
    show("$(warning) sg-lsp", "No sg-lsp binary: set sgLsp.path or put sg-lsp on PATH");
    void vscode.window.showWarningMessage(
      "sg-lsp: no `sg-lsp` binary found. Install it (`cargo install --path server`) or set `sgLsp.path`.",
    );
    return;
  }
  // TransportKind.stdio appends `--stdio`, which sg-lsp accepts.
  const run = { command: binary, args: ["serve"], transport: TransportKind.stdio };
  const serverOptions: ServerOptions = { run, debug: run };
  const clientOptions: LanguageClientOptions = {
    documentSelector: LANGUAGES.flatMap((language) => [
      { scheme: "file", language },
      { scheme: "untitled", language },
    ]),
    initializationOptions: serverSettings(),
    synchronize: { configurationSection: "sgLsp" },
    // sg-lsp serves pull diagnostics to clients that take refreshes (this one): pull after every edit,
    // as the server pushes nothing for open documents then.
    diagnosticPullOptions: { onChange: true },
    outputChannel: output,
  };
  client = new LanguageClient("sgLsp", "sg-lsp", serverOptions, clientOptions);
  // The last review's state, tokens and cost (the server's `sgLsp/reviewStatus`), in the status bar.
  client.onNotification("sgLsp/reviewStatus", (review: ReviewStatus) => {
    const [text, tooltip] = describeReview(review);
    show(text, tooltip);
  });
  client.onDidChangeState((event) => {
    if (event.newState === State.Running) {
      show("$(shield) sg-lsp", `sg-lsp running (${binary})`);
    } else if (event.newState === State.Starting) {
      show("$(sync~spin) sg-lsp", "sg-lsp starting");
    } else {
      show("$(error) sg-lsp", "sg-lsp stopped: click for its output");
    }
  });
  show("$(sync~spin) sg-lsp", "sg-lsp starting");
  try {
    await client.start();
  } catch (error) {
    show("$(error) sg-lsp", `sg-lsp failed to start: ${String(error)}`);
    output.error(`sg-lsp failed to start: ${String(error)}`);
  }
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running) {
    await running.stop().catch(() => undefined);
  }
}

function show(text: string, tooltip: string): void {
  status.text = text;
  status.tooltip = tooltip;
  status.show();
}

/** What the server says about a diff or commit review (`sgLsp/reviewStatus`). */
export interface ReviewStatus {
  state: "running" | "done" | "failed" | "cancelled";
  kind?: "commit";
  findings?: number;
  requests?: number;
  cached?: boolean;
  inputTokens?: number;
  outputTokens?: number;
  costUsd?: number | null;
  elapsedMs?: number;
  code?: string | null;
  message?: string;
}

/** Status bar text and tooltip for a review status. */
export function describeReview(review: ReviewStatus): [string, string] {
  const what = review.kind === "commit" ? "commit review" : "review";
  switch (review.state) {
    case "running":
      return ["$(sync~spin) sg-lsp", `sg-lsp: ${what} running`];
    case "cancelled":
      return ["$(shield) sg-lsp", `sg-lsp: ${what} cancelled`];
    case "failed":
      return ["$(warning) sg-lsp", `sg-lsp: ${what} failed (${review.code ?? "error"}): ${review.message ?? ""}`];
    default: {
      const tokens = (review.inputTokens ?? 0) + (review.outputTokens ?? 0);
      const cost = review.costUsd == null ? "cost unknown" : `$${review.costUsd.toFixed(4)}`;
      const found = review.findings ?? 0;
      const cached = review.cached ? ", cached" : "";
      const seconds = ((review.elapsedMs ?? 0) / 1000).toFixed(1);
      return [
        `$(shield) sg-lsp ${found ? `$(warning) ${found}` : "$(check)"}`,
        `sg-lsp: last ${what}: ${found} finding(s); ${tokens} tokens, ${cost}, ${review.requests ?? 0} request(s)${cached}, ${seconds} s`,
      ];
    }
  }
}
