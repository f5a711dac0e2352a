import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runLoad } from './driver.js';
import { Target } from './http.js';
import { benchSigners } from './keys.js';
import { loginKind } from './phase.js';
import { BENCH_CLIENT, benchSecrets, startServer } from './servers.js';
import { readFileSync } from 'node:fs';

async function main() {
  const name = (process.argv[2] ?? 'product') as 'product' | 'baseline';
  const secrets = await benchSecrets();
  const logDir = mkdtempSync(join(tmpdir(), 'evr-alloc-'));
  const server = await startServer({ name, secrets, logDir, nodeArgs: ['--inspect=127.0.0.1:9339'] });
  const signers = benchSigners(200);
  const run = (count: number) => runLoad({ target: new Target(server.port, server.issuer, 8), login: loginKind(server), client: BENCH_CLIENT, signers, flows: count, concurrency: 8, maxSeconds: 120 });
  try {
    await run(300);
    const list = await (await fetch('http://127.0.0.1:9339/json/list')).json() as Array<{ webSocketDebuggerUrl: string }>;
    const ws = new WebSocket(list[0]!.webSocketDebuggerUrl);
    await new Promise((r) => ws.addEventListener('open', r, { once: true }));
    let id = 0; const pending = new Map<number, (v: any) => void>();
    ws.addEventListener('message', (e) => { const m = JSON.parse(String(e.data)); if (m.id && pending.has(m.id)) { pending.get(m.id)!(m); pending.delete(m.id); } });
    const call = (method: string, params = {}) => new Promise<any>((r) => { id++; pending.set(id, r); ws.send(JSON.stringify({ id, method, params })); });
    await call('HeapProfiler.enable');
    console.log(JSON.stringify(await call('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true })).slice(0, 200));
    await run(1000);
    const profile = await call('HeapProfiler.stopSampling');
    writeFileSync(`/tmp/alloc-${name}.json`, JSON.stringify(profile.result.profile));
    ws.close();
  } finally {
    await server.stop();
  }
}
main().catch((e) => { console.error(e); process.exit(1); });
