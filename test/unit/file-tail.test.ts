// Following a file that a real child process appends to, as buildx's raw log is followed.
import assert from 'node:assert/strict';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { tailFile } from '../../grader/docker/file-tail.ts';
import { run } from '../../grader/util/exec.ts';

describe('tailFile', () => {
  test('hands over every line a writer appends, multi-byte characters across reads, the last line without a break', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'bg-tail-'));
    const file = path.join(dir, 'raw.log');
    const fd = await open(file, 'a');
    try {
      const lines: string[] = [];
      const tail = await tailFile(file, (l) => lines.push(l), { pollMs: 5 });
      // 20 000 lines with Polish letters in bursts, then a last line without a break.
      const script = 'i=0; while [ $i -lt 20000 ]; do echo "#8 0.5 zażółć $i"; i=$((i+1)); done; printf "koniec"';
      const r = await run('sh', ['-c', script], { outputFd: fd.fd });
      assert.equal(r.exitCode, 0);
      await tail.stop();
      assert.equal(lines.length, 20_001);
      assert.equal(lines[0], '#8 0.5 zażółć 0');
      assert.equal(lines[19_999], '#8 0.5 zażółć 19999');
      assert.equal(lines[20_000], 'koniec');
    } finally {
      await fd.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('calls onLimit once when the file grows past the limit', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'bg-tail-'));
    const file = path.join(dir, 'raw.log');
    const fd = await open(file, 'a');
    try {
      let hits = 0;
      const tail = await tailFile(file, () => undefined, { pollMs: 5, limitBytes: 10_000, onLimit: () => hits++ });
      await run('sh', ['-c', 'head -c 100000 /dev/zero | tr "\\0" "x"'], { outputFd: fd.fd });
      await tail.stop();
      assert.equal(tail.bytesRead, 100_000);
      assert.equal(hits, 1);
    } finally {
      await fd.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
