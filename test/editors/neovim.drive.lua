-- Drives the documented Neovim configuration end to end (run by neovim.test.ts in a headless
-- Neovim): diagnostics, completion, definition and rename through the real server, and a
-- Kubernetes manifest that must get no client. Writes what it saw as JSON to $USERLM_OUT.
local out = {}
local ws = os.getenv('USERLM_WS')
local function wait(pred) return vim.wait(30000, pred, 50) end
local function clients(buf) return #vim.lsp.buf_get_clients(buf) end
local function request(buf, method, params)
  local res = vim.lsp.buf_request_sync(buf, method, params, 30000) or {}
  for _, r in pairs(res) do if r.result ~= nil then return r.result end end
  return nil
end

vim.cmd('edit ' .. ws .. '/scenarios/nvim.scenario.yaml')
local buf = vim.api.nvim_get_current_buf()
local uri = vim.uri_from_bufnr(buf)
out.attached = wait(function() return clients(buf) > 0 end)
out.unknown_profile = wait(function()
  for _, d in ipairs(vim.diagnostic.get(buf)) do if d.message:match('no profile `margret%-chen`') then return true end end
  return false
end)
out.diagnostics = {}
for _, d in ipairs(vim.diagnostic.get(buf)) do table.insert(out.diagnostics, { lnum = d.lnum, col = d.col, end_col = d.end_col, severity = d.severity, message = d.message }) end

-- Completion of profile ids at `profile: │`.
vim.api.nvim_buf_set_lines(buf, 2, 3, false, { 'profile: ' })
local list = request(buf, 'textDocument/completion', { textDocument = { uri = uri }, position = { line = 2, character = 9 } }) or {}
out.completion = {}
for _, item in ipairs(list.items or list) do table.insert(out.completion, item.label) end

-- Fix the reference: the diagnostics go away.
vim.api.nvim_buf_set_lines(buf, 2, 3, false, { 'profile: margaret-chen' })
out.cleared = wait(function() return #vim.diagnostic.get(buf) == 0 end)

-- Definition of the profile id.
local def = request(buf, 'textDocument/definition', { textDocument = { uri = uri }, position = { line = 2, character = 12 } })
if def and def[1] then def = def[1] end
out.definition = def and { uri = def.uri or def.targetUri, line = (def.range or def.targetSelectionRange).start.line } or vim.NIL

-- Rename the profile across files, applied by Neovim itself.
local edit = request(buf, 'textDocument/rename', { textDocument = { uri = uri }, position = { line = 2, character = 12 }, newName = 'maggie' })
if edit then vim.lsp.util.apply_workspace_edit(edit, 'utf-16') end
out.renamed_here = vim.api.nvim_buf_get_lines(buf, 2, 3, false)[1]
local pbuf = vim.fn.bufnr(ws .. '/profiles/margaret.profile.yaml')
out.renamed_profile = pbuf > 0 and vim.api.nvim_buf_get_lines(pbuf, 1, 2, false)[1] or vim.NIL

-- A Kubernetes manifest: no UserLM client.
vim.cmd('edit ' .. ws .. '/deploy/app.yaml')
out.k8s_clients = clients(vim.api.nvim_get_current_buf())

vim.fn.writefile({ vim.fn.json_encode(out) }, os.getenv('USERLM_OUT'))
vim.cmd('qa!')
