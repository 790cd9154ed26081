// Compiles grader/ to dist/ and copies its non-TS files (JSON schemas) beside the compiled modules.
// dist/ sits at the depth of grader/, so the modules' relative URLs to package.json and rubrics/ still resolve.
import { spawnSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

process.chdir(fileURLToPath(new URL('..', import.meta.url)));
rmSync('dist', { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const { status } = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
if (status !== 0) process.exit(status ?? 1);
cpSync('grader', 'dist', { recursive: true, filter: (src) => !src.endsWith('.ts') });
