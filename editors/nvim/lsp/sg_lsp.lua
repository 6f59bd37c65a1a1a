-- Default sg-lsp configuration for Neovim 0.11's `vim.lsp.enable("sg_lsp")` (runtime `lsp/` folder).
-- `require("sg_lsp").setup{}` layers its options over this.
return require("sg_lsp").config()
