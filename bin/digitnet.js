#!/usr/bin/env node
// The built CLI (npm run build compiles src/ to dist/).
import { run } from '../dist/cli/main.js';

await run();
