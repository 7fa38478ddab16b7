// A small OpenAI-compatible server over node-llama-cpp for a real local model (GGUF), used by the
// real-model tests: `/v1/chat/completions` (JSON and SSE, with `usage`), `/v1/models`, and
// llama.cpp's `/props` (`n_ctx`). The model's own chat template and tokenizer are used; requests
// are answered one at a time on one context sequence. Installed by scripts/setup-local-model.sh.
//   node test/support/local-model-server.mjs --model FILE [--port N] [--context N] [--threads N] [--tools DIR]
// Prints `listening <base url>` once the model is loaded; stops on SIGINT / SIGTERM.
import { createServer } from 'node:http';
import { join, resolve, basename } from 'node:path';
import { pathToFileURL } from 'node:url';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const modelPath = resolve(arg('model', '.tools/local-model/gemma-3-270m-q4_k_m.gguf'));
const tools = resolve(arg('tools', join(modelPath, '..')));
const contextSize = Number(arg('context', '2048'));
const port = Number(arg('port', '0'));
// One thread by default: llama.cpp's threads wait for each other by spinning, so on a shared machine
// (CI, other tests beside it) two threads on two busy cores run several times slower than one.
const threads = Number(arg('threads', '1'));
const modelId = basename(modelPath).replace(/\.gguf$/, '');

const { getLlama, LlamaChat } = await import(pathToFileURL(join(tools, 'node_modules', 'node-llama-cpp', 'dist', 'index.js')).href);
const llama = await getLlama({ gpu: false, build: 'never', logLevel: 'error' });
const model = await llama.loadModel({ modelPath });
const context = await model.createContext({ contextSize, sequences: 1, threads });
const sequence = context.getSequence();

/** OpenAI messages → node-llama-cpp chat history, ending with the empty model turn to fill. */
function history(messages) {
  const out = [];
  for (const m of messages) {
    const text = typeof m.content === 'string' ? m.content : (m.content ?? []).map((p) => p.text ?? '').join('');
    if (m.role === 'system' || m.role === 'developer') out.push({ type: 'system', text });
    else if (m.role === 'assistant') out.push({ type: 'model', response: [text] });
    else out.push({ type: 'user', text });
  }
  out.push({ type: 'model', response: [] });
  return out;
}

let queue = Promise.resolve();
/** One generation at a time on the one sequence. */
function generate(body, onText, signal) {
  const run = async () => {
    const t0 = Date.now();
    await sequence.clearHistory();
    const chat = new LlamaChat({ contextSequence: sequence, autoDisposeSequence: false });
    try {
      const messages = Array.isArray(body.messages) ? body.messages : [];
      const promptTokens = model.tokenize(messages.map((m) => m.content ?? '').join('\n')).length;
      const r = await chat.generateResponse(history(messages), {
        maxTokens: Number(body.max_completion_tokens ?? body.max_tokens ?? 64),
        temperature: body.temperature ?? 0,
        ...(body.top_p !== undefined ? { topP: body.top_p } : {}),
        seed: 1,
        onTextChunk: onText,
        signal,
      });
      const completionTokens = model.tokenize(r.response).length;
      const finish = r.metadata.stopReason === 'maxTokens' ? 'length' : 'stop';
      console.error(`generated: ${promptTokens} prompt + ${completionTokens} completion tokens in ${Date.now() - t0} ms (${finish})`);
      return { text: r.response, finish, usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens } };
    } finally {
      chat.dispose({ disposeSequence: false });
    }
  };
  const p = queue.then(run, run);
  queue = p.catch(() => {});
  return p;
}

const json = (res, status, value) => {
  const text = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
};

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && /^\/v1\/models\/?$/.test(path)) return json(res, 200, { object: 'list', data: [{ id: modelId, object: 'model', created: 0, owned_by: 'node-llama-cpp' }] });
    if (req.method === 'GET' && path === '/props') return json(res, 200, { default_generation_settings: { n_ctx: contextSize }, model_path: modelPath });
    if (req.method !== 'POST' || !/^\/v1\/chat\/completions\/?$/.test(path)) return json(res, 404, { error: { message: `no route for ${req.method} ${path}`, type: 'not_found' } });
    let body;
    try { body = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch { return json(res, 400, { error: { message: 'request body is not JSON', type: 'invalid_request_error' } }); }
    const id = `chatcmpl-${Date.now()}`;
    const ctrl = new AbortController();
    res.on('close', () => { if (!res.writableFinished) ctrl.abort(); });
    try {
      if (!body.stream) {
        const r = await generate(body, undefined, ctrl.signal);
        return json(res, 200, { id, object: 'chat.completion', created: 0, model: modelId, choices: [{ index: 0, message: { role: 'assistant', content: r.text }, finish_reason: r.finish }], usage: r.usage });
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      const send = (choices, extra = {}) => res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: 0, model: modelId, choices, ...extra })}\n\n`);
      send([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]);
      const r = await generate(body, (text) => send([{ index: 0, delta: { content: text }, finish_reason: null }]), ctrl.signal);
      send([{ index: 0, delta: {}, finish_reason: r.finish }]);
      if (body.stream_options?.include_usage) send([], { usage: r.usage });
      res.end('data: [DONE]\n\n');
    } catch (e) {
      if (res.headersSent) res.destroy();
      else json(res, 500, { error: { message: String(e?.message ?? e), type: 'server_error' } });
    }
  });
});

server.listen(port, '127.0.0.1', () => {
  console.log(`listening http://127.0.0.1:${server.address().port}/v1`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
