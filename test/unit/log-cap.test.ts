// The build log size cap (grader/docker/log-cap.ts) and its file wrapper (createCappedLog).
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { createCappedLog } from '../../grader/docker/build-runner.ts';
import { capLogText, isStatusLogLine } from '../../grader/docker/log-cap.ts';

const MARKER = /^\[buildx-grader\] pominięto (\d+) (?:linię|linie|linii), (?:[^()]* \()?([\d\u00a0]+) B\)?, ze środka logu od linii (\d+), .*z pominiętej części \((\d+)\), potem koniec logu \((\d+) (?:linia|linie|linii)\)$/;

const bytes = (lines: string[]) => lines.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
const markerOf = (text: string) => text.split('\n').find((l) => l.startsWith('[buildx-grader] pominięto'));

/** A two-platform build whose RUN floods the middle with `floodLines` output lines. */
function floodLog(floodLines: number): string[] {
  const lines = [
    '#0 building with "default" instance using docker driver',
    '#1 [internal] load build definition from Dockerfile',
    '#1 DONE 0.0s',
    '#7 [linux/amd64 1/3] FROM 127.0.0.1:5055/library/busybox:latest',
    '#8 [linux/arm64 1/3] FROM 127.0.0.1:5055/library/busybox:latest',
    '#9 [linux/amd64 2/3] RUN yes x | head -c 400000',
    '#10 [linux/arm64 2/3] RUN yes x | head -c 400000',
  ];
  for (let i = 0; i < floodLines; i++) {
    lines.push(`#${9 + (i % 2)} ${(i / 1000).toFixed(3)} xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx ${i}`);
    // What a RUN may print to look like status: never kept from the middle.
    if (i % 500 === 1) lines.push(`#9 ${(i / 1000).toFixed(3)} #9 CACHED`, `#9 ${(i / 1000).toFixed(3)} x\r#9 CACHED`);
    if (i === floodLines / 2) lines.push('#9 DONE 12.5s', '#11 [linux/amd64 3/3] RUN echo done > /done.txt', '#11 CACHED');
  }
  lines.push(
    '#10 DONE 13.0s',
    '#12 exporting to image',
    '#12 exporting manifest list sha256:1111111111111111111111111111111111111111111111111111111111111111 done',
    '#12 pushing layers 0.3s done',
    '#12 pushing manifest for 127.0.0.1:32768/s1/app:multiarch@sha256:2222222222222222222222222222222222222222222222222222222222222222 0.0s done',
    '#12 DONE 0.9s',
    '#13 exporting cache to registry',
    '#13 writing cache image manifest sha256:3333333333333333333333333333333333333333333333333333333333333333 done',
    '#13 DONE 0.4s',
  );
  return lines;
}

describe('build log cap', () => {
  test('BuildKit status lines, never RUN output that looks like them', () => {
    for (const line of [
      '#7 [linux/arm64 build 2/3] RUN echo "$MSG from $(uname -m)" > /out.txt',
      '#7 CACHED',
      '#7 DONE 0.5s',
      '#7 DONE 12s',
      '#9 ERROR: process "/bin/sh -c exit 3" did not complete successfully: exit code: 3',
      '#6 importing cache manifest from 127.0.0.1:32768/s1/app:buildcache',
      '#15 exporting cache to registry',
      '#15 preparing build cache for export',
      '#15 writing cache manifest sha256:0123 done',
      '#15 writing cache image manifest sha256:0123 done',
      '#14 exporting manifest list sha256:abcd done',
      '#14 pushing layers 0.3s done',
      '#14 pushing manifest for 127.0.0.1:32768/s1/app:multiarch@sha256:abcd 0.0s done',
      '#14 naming to 127.0.0.1:32768/s1/app:multiarch done',
    ]) assert.ok(isStatusLogLine(line), line);
    for (const line of [
      '#8 0.412 hello from aarch64',
      '#9 0.5 #9 CACHED',
      '#9 12.345 #9 DONE 0.1s',
      '#9 0.512 progress\r#9 CACHED',
      '\r#9 CACHED',
      '#9 CACHED\r',
      '#9 CACHED later',
      '#5 sha256:0a1b 1.05MB / 3.2MB 0.4s',
      '#9 transferring context: 2B done',
      'ERROR: failed to solve: process "/bin/sh -c exit 3" did not complete successfully',
      ' => CACHED [linux/arm64 build1 2/5] RUN apk add',
    ]) assert.ok(!isStatusLogLine(line), JSON.stringify(line));
  });

  test('a log within the cap is kept whole, without a marker', () => {
    const lines = floodLog(20);
    assert.equal(capLogText(lines, bytes(lines)), lines.join('\n') + '\n');
  });

  test('a flood in the middle: head, one marker, the middle status lines, the tail to the last line', () => {
    const lines = floodLog(40_000);
    const cap = 64 * 1024;
    const text = capLogText(lines, cap);
    const out = text.trimEnd().split('\n');
    const marker = markerOf(text) ?? '';
    assert.equal(out.filter((l) => l.startsWith('[buildx-grader]')).length, 1);
    assert.ok(Buffer.byteLength(text) <= cap + Buffer.byteLength(marker) + 1, `${Buffer.byteLength(text)} B`);
    // The head is the first lines, in order.
    assert.deepEqual(out.slice(0, 7), lines.slice(0, 7));
    // The tail ends with the result: exactly the last lines of the build.
    assert.deepEqual(out.slice(-9), lines.slice(-9));
    // From the cut middle only BuildKit's own status lines survive.
    const m = MARKER.exec(marker);
    assert.ok(m, marker);
    const at = out.indexOf(marker);
    const middle = out.slice(at + 1, at + 1 + Number(m[4]));
    assert.deepEqual(middle, ['#9 DONE 12.5s', '#11 [linux/amd64 3/3] RUN echo done > /done.txt', '#11 CACHED']);
    assert.deepEqual(out.slice(at + 1 + Number(m[4])), lines.slice(-Number(m[5])));
  });

  test('marker counts are exact', () => {
    // 20 lines of 10 bytes, line 8 a status line; cap 100: head 50 B (5 lines), the rest to the tail.
    const lines = Array.from({ length: 20 }, (_, i) => (i === 7 ? '#7 CACHED' : `#8 0.${String(i).padStart(2, '0')} a`));
    const text = capLogText(lines, 100);
    assert.equal(text, [
      ...lines.slice(0, 5),
      '[buildx-grader] pominięto 10 linii, 100 B, ze środka logu od linii 6, przy limicie logu 100 B; dalej: ' +
        'linie statusu BuildKit z pominiętej części (1), potem koniec logu (4 linie)',
      '#7 CACHED',
      ...lines.slice(16),
    ].join('\n') + '\n');

    // On a big flood the counts add up to the input, line for line and byte for byte.
    const flood = floodLog(30_000);
    const out = capLogText(flood, 32 * 1024).trimEnd().split('\n');
    const marker = out.find((l) => l.startsWith('[buildx-grader]')) ?? '';
    const m = MARKER.exec(marker);
    assert.ok(m, marker);
    const kept = out.filter((l) => l !== marker);
    assert.equal(Number(m[1]), flood.length - kept.length);
    assert.equal(Number(m[2]!.replace(/\u00a0/g, '')), bytes(flood) - bytes(kept));
    assert.equal(Number(m[3]), out.indexOf(marker) + 1);
    assert.equal(Number(m[4]) + Number(m[5]), out.length - out.indexOf(marker) - 1);
  });

  test('the size bound holds with tiny caps and a flood of status-looking lines', () => {
    const lines = [...floodLog(2_000), ...Array.from({ length: 5_000 }, (_, i) => `#${i} CACHED`), 'the last line'];
    for (const cap of [0, 1, 9, 64, 333, 4096]) {
      const text = capLogText(lines, cap);
      const marker = markerOf(text);
      assert.ok(marker, `cap ${cap}: no marker`);
      assert.ok(Buffer.byteLength(text) <= cap + Buffer.byteLength(marker) + 1, `cap ${cap}: ${Buffer.byteLength(text)} B`);
      if (cap >= 64) assert.ok(text.endsWith('the last line\n'), `cap ${cap}: tail lost`);
    }
  });

  test('a real-size flood (a tail of hundreds of thousands of lines) ends without a stack overflow', () => {
    // What `yes x` in a RUN step prints under --progress=plain, 2 million times: 22 MB against a 16 MiB cap.
    const lines = function* () {
      yield '#8 [linux/amd64 flood 2/2] RUN yes x | head -c 4000000';
      for (let i = 0; i < 2_000_000; i++) yield '#8 0.771 x';
      yield '#8 DONE 9.1s';
    };
    const text = capLogText(lines(), 16 * 1024 * 1024);
    const kept = text.split('\n');
    assert.ok(kept.length > 400_000, `${kept.length} lines kept`);
    assert.equal(kept.at(-2), '#8 DONE 9.1s');
  });

  test('createCappedLog writes exactly what the cap returns', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'bg-cap-'));
    try {
      const file = path.join(dir, 'b.log');
      const lines = floodLog(3_000);
      const log = createCappedLog(file, 8 * 1024);
      for (const line of lines) log.write(line);
      const dropped = await log.close();
      const text = await readFile(file, 'utf8');
      assert.equal(text, capLogText(lines, 8 * 1024));
      assert.equal(dropped, Number(MARKER.exec(markerOf(text) ?? '')?.[1]));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('createCappedLog: after flush() the file shows the build so far (someone may be watching it)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'bg-cap-'));
    try {
      const file = path.join(dir, 'b.log');
      const log = createCappedLog(file, 8 * 1024);
      log.write('#7 [linux/amd64 2/2] RUN sleep 297');
      log.flush();
      for (let i = 0; i < 100 && (await readFile(file, 'utf8').catch(() => '')) === ''; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(await readFile(file, 'utf8'), '#7 [linux/amd64 2/2] RUN sleep 297\n');
      await log.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
