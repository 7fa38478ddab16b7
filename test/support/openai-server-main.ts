// Runs the local OpenAI-compatible test server on its own:
//   node out/test/support/openai-server-main.js [--port N] [--latency-ms N] [--dialect D] [--user-stop-after N]
// Prints `listening <base url>` once ready; stops on SIGINT / SIGTERM.
import { DIALECTS, startOpenAIServer, type Dialect } from './openai-server';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function number(name: string): number | undefined {
  const v = option(name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) {
    console.error(`--${name} must be a number >= 0, got '${v}'`);
    process.exit(2);
  }
  return n;
}

async function main(): Promise<void> {
  const dialect = option('dialect');
  if (dialect !== undefined && !(DIALECTS as readonly string[]).includes(dialect)) {
    console.error(`--dialect must be one of ${DIALECTS.join(', ')}, got '${dialect}'`);
    process.exit(2);
  }
  const server = await startOpenAIServer({
    port: number('port'), latencyMs: number('latency-ms'), dialect: dialect as Dialect | undefined, userStopAfter: number('user-stop-after'),
  });
  console.log(`listening ${server.url}`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
