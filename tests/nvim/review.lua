-- Neovim end-to-end test of the LLM layers through editors/nvim: a save reviews the file's changes, and
-- :SgLspReviewCommit runs the agentic commit review, against the loopback mock (tests/mock-llm) that
-- tests/nvim/run.sh starts with tests/nvim/review-script.json. Run by tests/nvim/run.sh.
local root = assert(os.getenv("SG_NVIM_ROOT"), "SG_NVIM_ROOT")
local bin = assert(os.getenv("SG_LSP_BIN"), "SG_LSP_BIN")
local work = assert(os.getenv("SG_NVIM_WORK"), "SG_NVIM_WORK")
local timeout = 60000

vim.opt.runtimepath:append(root .. "/editors/nvim")
vim.cmd("filetype on")
require("sg_lsp").setup({ path = bin, settings = { workspaceScan = false } })

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

local function from(buf, source)
  return vim.tbl_filter(function(d)
    return d.source == source
  end, vim.diagnostic.get(buf))
end

local function wait_for(buf, source)
  vim.wait(timeout, function()
    return #from(buf, source) > 0
  end, 20)
  return from(buf, source)[1]
end

-- A save reviews the saved file's changes against HEAD.
vim.cmd.edit(work .. "/app/view.py")
local view = vim.api.nvim_get_current_buf()
vim.wait(timeout, function()
  return #vim.lsp.get_clients({ bufnr = view, name = "sg_lsp" }) > 0
end, 20)
check("the sg_lsp client attaches", #vim.lsp.get_clients({ bufnr = view, name = "sg_lsp" }) > 0)
vim.api.nvim_buf_set_lines(view, 1, 2, false, {
  "    name = request.args['file']",
  "    return open('/srv/files/' + name).read()",
})
vim.cmd.write()
local reviewed = wait_for(view, "sg-lsp/review")
check("saving shows the review's finding", reviewed ~= nil, vim.diagnostic.get(view))
check("on the line the model cited", reviewed and reviewed.lnum == 2 and reviewed.code == "review.path-traversal", reviewed)

-- :SgLspReviewCommit reviews HEAD (nothing is staged): findings with their trace, and the report opens.
vim.cmd("SgLspReviewCommit")
local db = vim.fn.bufadd(work .. "/app/db.py")
local traced = wait_for(db, "sg-lsp/commit-review")
check("the commit review's finding lands on app/db.py", traced ~= nil and traced.lnum == 5, traced)
local related = traced and traced.user_data.lsp.relatedInformation or {}
check("the data-flow trace comes as related information", #related == 2 and related[1].message:find("request.args", 1, true) ~= nil, related)
local report
vim.wait(timeout, function()
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    local name = vim.api.nvim_buf_get_name(buf)
    if name:find("/.git/sg-lsp/reviews/", 1, true) and name:sub(-3) == ".md" then
      report = buf
      return true
    end
  end
  return false
end, 20)
check("the Markdown report opens in a buffer", report ~= nil)
local lines = report and table.concat(vim.fn.readfile(vim.api.nvim_buf_get_name(report)), "\n") or ""
check("the report holds the evidence chain", lines:find("IDOR", 1, true) ~= nil and lines:find("app/routes.py", 1, true) ~= nil, lines)

print(string.format("%d passed, %d failed", passed, failed))
for _, c in ipairs(vim.lsp.get_clients()) do
  c:stop()
end
os.exit(failed == 0 and 0 or 1)
