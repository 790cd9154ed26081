#!/usr/bin/env node
// The compiled CLI (npm run build, run by npm pack); a checkout without a build runs `npm run grader`.
import '../dist/cli/main.js';
