#!/usr/bin/env node
// Thin launcher: the CLI is TypeScript, built by `npm run build` (npm start and npm test build too).
const path = require('node:path');
const fs = require('node:fs');
const main = path.join(__dirname, '..', 'dist', 'main.js');
if (!fs.existsSync(main)) {
  process.stderr.write('takedown: not built yet; run `npm run build` first\n');
  process.exit(2);
}
require(main);
