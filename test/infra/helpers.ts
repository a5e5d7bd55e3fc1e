import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { isListening } from '../../infra/lifecycle/ports.ts';

export interface Trace {
  name: string;
  pid?: number;
  /** 0 when unknown (not checked). */
  port: number;
  tempDir?: string;
}

/** True while any process of the group led by `pid` exists. */
export function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Waits (bounded) until a server is gone, then asserts: no process, nothing on its port, no temp dir. */
export async function assertGone(trace: Trace, withinMs = 10_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  const listening = async (): Promise<boolean> => trace.port > 0 && (await isListening(trace.port));
  const dirLeft = (): boolean => !!trace.tempDir && existsSync(trace.tempDir);
  while (Date.now() < deadline && ((trace.pid && groupAlive(trace.pid)) || dirLeft() || (await listening()))) {
    await new Promise((r) => setTimeout(r, 100));
  }
  if (trace.pid) assert.equal(groupAlive(trace.pid), false, `${trace.name}: process group ${trace.pid} still alive`);
  assert.equal(await listening(), false, `${trace.name}: port ${trace.port} still accepts connections`);
  if (trace.tempDir)
    assert.equal(existsSync(trace.tempDir), false, `${trace.name}: temp dir ${trace.tempDir} still there`);
}

export function traceOf(s: { name: string; pid?: number; port: number; tempDir?: string }): Trace {
  return { name: s.name, pid: s.pid, port: s.port, tempDir: s.tempDir };
}
