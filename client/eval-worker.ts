// A worker thread that runs one eval suite: the built-in simulator is CPU-bound and the engine's
// run loop may not yield for a long time, so suites never run on the extension host's thread.
// Cancel: the host sets a shared flag and posts `cancel`. The message is only seen when the run
// yields, but the flag is read by every `signal.aborted` check: this worker exists for one run,
// so every AbortSignal made in it reports aborted once the flag is set (the engine derives its
// own signals from ours, and a derived signal would otherwise wait for the event loop).
import { parentPort, workerData } from 'node:worker_threads';
import { runSuite } from '../core/runs/index';
import type { EvalWorkerData, FromEvalWorker, ToEvalWorker } from './protocol';
import { lookupFrom } from './secrets';

const data = workerData as EvalWorkerData;
const post = (m: FromEvalWorker) => parentPort!.postMessage(m);
const flag = new Int32Array(data.cancelFlag);
const abortedGetter = Object.getOwnPropertyDescriptor(AbortSignal.prototype, 'aborted')!.get!;
class FlaggedAbortController extends AbortController {
  constructor() {
    super();
    const signal = this.signal;
    Object.defineProperty(signal, 'aborted', { get: () => Atomics.load(flag, 0) === 1 || (abortedGetter.call(signal) as boolean) });
  }
}
globalThis.AbortController = FlaggedAbortController;
const controller = new AbortController();
const signal = controller.signal;
parentPort!.on('message', (m: ToEvalWorker) => { if (m.type === 'cancel') controller.abort(); });

runSuite({
  root: data.root, suiteFile: data.suiteFile, concurrency: data.concurrency, resumeDir: data.resumeDir,
  secret: lookupFrom(data.secrets), signal,
  onProgress: (progress) => post({ type: 'progress', progress }),
}).then(
  ({ runDir, summary }) => post({ type: 'done', runDir, summary }),
  (e: unknown) => post({ type: 'error', message: (e as Error).message ?? String(e) }),
).finally(() => parentPort!.close());
