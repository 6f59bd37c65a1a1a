-- Neovim end-to-end test for sg-lsp: `editors/nvim` launches the real server; diagnostics, hover, the
-- quick fix and the suppression action are checked in real buffers. Run by tests/nvim/run.sh.
local root = assert(os.getenv("SG_NVIM_ROOT"), "SG_NVIM_ROOT")
local bin = assert(os.getenv("SG_LSP_BIN"), "SG_LSP_BIN")
local work = assert(os.getenv("SG_NVIM_WORK"), "SG_NVIM_WORK")
local timeout = 60000

vim.opt.runtimepath:append(root .. "/editors/nvim")
vim.cmd("filetype on")
require("sg_lsp").setup({ path = bin })

local passed, failed = 0, 0
local function check(name, ok, detail)
  if ok then
    passed = passed + 1
    print("ok - " .. name)
  else
    failed = failed + 1
    print("FAIL - " .. name .. (detail ~= nil and (": " .. vim.inspect(detail)) or ""))
  end
end

local function ours(buf, code)
  return vim.tbl_filter(function(d)
    return d.source == "sg-lsp" and (code == nil or d.code == code)
  end, vim.diagnostic.get(buf))
end

local function wait_for(buf, code)
  vim.wait(timeout, function()
    return #ours(buf, code) > 0
  end, 20)
  return ours(buf, code)[1]
end

local function client_of(buf)
  vim.wait(timeout, function()
    return #vim.lsp.get_clients({ bufnr = buf, name = "sg_lsp" }) > 0
  end, 20)
  return vim.lsp.get_clients({ bufnr = buf, name = "sg_lsp" })[1]
end

--- Requests code actions at a diagnostic and applies the one whose title starts with `prefix`.
local function apply_action(buf, client, diagnostic, prefix)
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    range = diagnostic.user_data.lsp.range,
    context = { diagnostics = { diagnostic.user_data.lsp } },
  }
  local response = client:request_sync("textDocument/codeAction", params, timeout, buf)
  for _, action in ipairs((response and response.result) or {}) do
    if vim.startswith(action.title, prefix) then
      vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding)
      return action
    end
  end
  return nil, response
end

-- Python: diagnostics on open, in the negotiated encoding.
vim.cmd.edit(work .. "/app.py")
local py = vim.api.nvim_get_current_buf()
local client = client_of(py)
check("the sg_lsp client attaches to a Python buffer", client ~= nil)
if client == nil then
  print(string.format("%d passed, %d failed", passed, failed + 1))
  os.exit(1)
end
check("UTF-8 positions are negotiated", client.offset_encoding == "utf-8", client.offset_encoding)
local eval = wait_for(py, "python.eval")
check("eval(x) is flagged as python.eval", eval ~= nil, ours(py))
check("the diagnostic sits on `eval` after a 2-byte character", eval and eval.lnum == 2 and eval.col == 5, eval)
-- Neovim 0.11 pulls diagnostics but takes no workspace/diagnostic/refresh, so the server pushes: once.
check(
  "diagnostics are pushed, not also pulled (no diagnosticProvider without refresh support)",
  client.server_capabilities.diagnosticProvider == nil,
  client.server_capabilities.diagnosticProvider
)
check("each finding shows once", #ours(py, "python.eval") == 1, ours(py))

-- Hover explains the finding.
local hover = client:request_sync("textDocument/hover", {
  textDocument = { uri = vim.uri_from_bufnr(py) },
  position = { line = 2, character = 6 },
}, timeout, py)
local text = hover and hover.result and hover.result.contents.value or ""
check("hover names the rule and links the CWE", text:find("python.eval", 1, true) and text:find("CWE-95", 1, true), text)

-- The quick fix rewrites the buffer and the diagnostic goes away.
local fixed = eval and apply_action(py, client, eval, "Use ast.literal_eval")
check("the quick fix is offered", fixed ~= nil)
local line = vim.api.nvim_buf_get_lines(py, 2, 3, false)[1]
check("the quick fix rewrites the call", line == 'é = ast.literal_eval(x)', line)
vim.wait(timeout, function()
  return #ours(py, "python.eval") == 0
end, 20)
check("the diagnostic clears after the fix", #ours(py, "python.eval") == 0, ours(py))

-- Typing (incremental sync) brings a new finding; suppressing it leaves a hint asking for a reason.
vim.api.nvim_buf_set_lines(py, 3, 3, false, { "    os.system(cmd)" })
local system = wait_for(py, "python.os-system")
check("a typed os.system(cmd) is flagged", system ~= nil, ours(py))
local suppressed = system and apply_action(py, client, system, "Suppress python.os-system")
check("the suppress action is offered", suppressed ~= nil)
local comment = vim.api.nvim_buf_get_lines(py, 3, 4, false)[1]
check("the suppression comment goes above, indented", comment == "    # sg-ignore[python.os-system]: ", comment)
-- The action's command (run by Neovim after the edit) has the server show the reason's place.
local command = suppressed and suppressed.command
check("the suppress action carries sg-lsp.placeCursor", command and command.command == "sg-lsp.placeCursor", command)
vim.api.nvim_win_set_cursor(0, { 1, 0 })
if command then
  client:exec_cmd(command, { bufnr = py })
end
-- The server asks for the end of the line; Normal mode keeps the cursor on the last character (the
-- space after the colon), so `a` types the reason.
local reason_at = { 4, #"    # sg-ignore[python.os-system]: " - 1 }
vim.wait(timeout, function()
  return vim.deep_equal(vim.api.nvim_win_get_cursor(0), reason_at)
end, 20)
check("the cursor lands where the reason goes", vim.deep_equal(vim.api.nvim_win_get_cursor(0), reason_at), {
  cursor = vim.api.nvim_win_get_cursor(0),
  want = reason_at,
})
check("the suppression asks for a reason", wait_for(py, "sg.suppression-without-reason") ~= nil, ours(py))
vim.wait(timeout, function()
  return #ours(py, "python.os-system") == 0
end, 20)
check("the suppressed finding is gone", #ours(py, "python.os-system") == 0, ours(py))

-- JavaScript: another language, `//` comments.
vim.cmd.edit(work .. "/app.js")
local js = vim.api.nvim_get_current_buf()
local inner = wait_for(js, "javascript.inner-html")
check("innerHTML assignment is flagged in JavaScript", inner ~= nil, ours(js))
local to_text = inner and apply_action(js, client_of(js), inner, "Use textContent")
check("the JavaScript quick fix is offered", to_text ~= nil)
local js_line = vim.api.nvim_buf_get_lines(js, 0, 1, false)[1]
check("the JavaScript quick fix uses textContent", js_line == "el.textContent = userInput;", js_line)

-- Settings: the workspace scan publishes a closed file's finding; disabling the rule in the client's
-- settings (pushed with workspace/didChangeConfiguration) removes it there and in an open buffer.
local closed = vim.fn.bufadd(work .. "/closed.py")
check("the workspace scan shows a closed file's finding", wait_for(closed, "python.eval") ~= nil, ours(closed))
vim.api.nvim_buf_set_lines(py, -1, -1, false, { "eval(y)" })
check("a typed eval(y) is flagged", wait_for(py, "python.eval") ~= nil, ours(py))
client.settings = vim.tbl_deep_extend("force", client.settings or {}, {
  sgLsp = { rules = { disable = { "python.eval" } } },
})
client:notify("workspace/didChangeConfiguration", { settings = client.settings })
vim.wait(timeout, function()
  return #ours(py, "python.eval") == 0 and #ours(closed, "python.eval") == 0
end, 20)
check("rules.disable removes the finding from the open buffer", #ours(py, "python.eval") == 0, ours(py))
check("rules.disable removes the finding from the closed file", #ours(closed, "python.eval") == 0, ours(closed))

print(string.format("%d passed, %d failed", passed, failed))
for _, c in ipairs(vim.lsp.get_clients()) do
  c:stop()
end
os.exit(failed == 0 and 0 or 1)
