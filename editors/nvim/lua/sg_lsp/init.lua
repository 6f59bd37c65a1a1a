-- sg-lsp for Neovim 0.11+: finds the `sg-lsp` binary and registers it with vim.lsp.config/vim.lsp.enable.
-- All scanning happens in the server; this file only launches it.
local M = {}

--- Filetypes sg-lsp attaches to by default: code with pattern rules, workflows (YAML), and text formats
--- where secrets hide.
M.default_filetypes = {
  "python",
  "javascript",
  "javascriptreact",
  "typescript",
  "typescriptreact",
  "yaml",
  "json",
  "toml",
  "sh",
  "markdown",
}

--- The command that starts the server: `opts.cmd`, else `opts.path`, else `sg-lsp` on PATH.
local function command(opts)
  if opts.cmd then
    return opts.cmd
  end
  local path = opts.path or vim.fn.exepath("sg-lsp")
  if path == nil or path == "" then
    return nil
  end
  return { path, "serve" }
end

--- The configuration handed to vim.lsp.config (exposed for tests and for nvim-lspconfig users).
---@param opts table|nil { cmd, path, filetypes, root_markers, settings, position_encoding }
function M.config(opts)
  opts = opts or {}
  local settings = opts.settings or {}
  local init_options = vim.deepcopy(settings)
  if opts.position_encoding then
    -- Another server on the same buffer may use UTF-16; sharing one encoding avoids Neovim's warning.
    init_options.positionEncoding = opts.position_encoding
  end
  return {
    cmd = command(opts) or { "sg-lsp", "serve" },
    filetypes = opts.filetypes or M.default_filetypes,
    root_markers = opts.root_markers or { ".sg-lsp.toml", ".git" },
    -- Answered to workspace/configuration and pushed with workspace/didChangeConfiguration.
    settings = { sgLsp = settings },
    init_options = init_options,
  }
end

--- Runs one of the server's review commands (`sg-lsp.reviewChanges`, `sg-lsp.reviewCommit`) through the
--- `sg_lsp` client of the current buffer, or of any buffer; progress shows through `$/progress`.
---@param command string
---@param arguments table|nil
function M.run_command(command, arguments)
  local clients = vim.lsp.get_clients({ name = "sg_lsp", bufnr = 0 })
  if #clients == 0 then
    clients = vim.lsp.get_clients({ name = "sg_lsp" })
  end
  local client = clients[1]
  if client == nil then
    vim.notify("sg-lsp: the server is not running in this session", vim.log.levels.WARN)
    return
  end
  client:request("workspace/executeCommand", { command = command, arguments = arguments or {} }, function(err)
    if err then
      vim.notify("sg-lsp: " .. command .. " failed: " .. err.message, vim.log.levels.ERROR)
    end
  end)
end

local function user_commands()
  vim.api.nvim_create_user_command("SgLspReviewChanges", function()
    M.run_command("sg-lsp.reviewChanges")
  end, { desc = "sg-lsp: LLM review of the working tree's changes" })
  vim.api.nvim_create_user_command("SgLspReviewCommit", function(args)
    M.run_command("sg-lsp.reviewCommit", args.args ~= "" and { args.args } or {})
  end, { nargs = "?", desc = "sg-lsp: agentic review of the staged changes, else HEAD (or REV)" })
end

--- Registers and enables the `sg_lsp` client.
---@param opts table|nil see M.config
function M.setup(opts)
  if vim.fn.has("nvim-0.11") ~= 1 then
    vim.notify("sg-lsp: Neovim 0.11 or newer is needed (vim.lsp.config)", vim.log.levels.ERROR)
    return
  end
  local config = M.config(opts)
  if vim.fn.executable(config.cmd[1]) ~= 1 then
    vim.notify("sg-lsp: no `sg-lsp` binary on PATH; install it or pass `path`", vim.log.levels.WARN)
    return
  end
  vim.lsp.config("sg_lsp", config)
  vim.lsp.enable("sg_lsp")
  user_commands()
end

return M
