// A judge on 127.0.0.1 speaking the OpenAI chat completions wire format (JSON and SSE): it
// answers each rubric with a fixed score, written in a different style per criterion, so the
// judge's parsing and caching run end to end through the real `openai` SDK.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Criterion (first words of the rubric) -> the judge's raw reply. */
export const JUDGE_REPLIES: Record<string, string> = {
  'Persona consistency': '{"score": 8, "reason": "sounds like her"}',
  'Reasoning quality': 'Score: 7\nThe plan is specific.',
  'Strategic capability': 'I would rate this **6** overall.',
  'Thought/response alignment': '9/10 - the reply follows the plan.',
  'Robotic tone': '{"score": 3}',
  'Role authenticity': '10',
  'Interaction': 'score of 5',
  'Goal progress': 'I cannot say.',
};

export async function startJudgeServer(): Promise<{ url: string; calls: () => number; close(): Promise<void> }> {
  let calls = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      calls++;
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { stream?: boolean; messages: { role: string; content: string }[] };
      const prompt = body.messages.find((m) => m.role === 'user')?.content ?? '';
      const criterion = /^CRITERION: ([^(:]+?) ?[(:]/.exec(prompt)?.[1] ?? '';
      const content = JUDGE_REPLIES[criterion] ?? 'no idea';
      if (!body.stream) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: `j${calls}`, object: 'chat.completion', created: 0, model: 'judge', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }] }));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const chunk = (delta: object, finish: string | null) => `data: ${JSON.stringify({ id: `j${calls}`, object: 'chat.completion.chunk', created: 0, model: 'judge', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
      res.end(chunk({ role: 'assistant', content }, null) + chunk({}, 'stop') + 'data: [DONE]\n\n');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}/v1`, calls: () => calls, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}
