#!/usr/bin/env node
// Exercises reactor.wasm under Node 20's node:wasi the way the Java tests are expected to:
// fixtures/data is copied to a temp dir and preopened as /data; wasi.initialize() calls
// _initialize; then the exports are called. Prints one line per call; the guest's hello() output
// goes to this process's stdout. Expected output: reactor.expected.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WASI } from 'node:wasi';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wasi-reactor-'));
fs.cpSync(path.join(here, 'fixtures', 'data'), path.join(tmp, 'data'), { recursive: true });
const wasi = new WASI({ version: 'preview1', args: ['reactor.wasm'], env: {}, preopens: { '/data': path.join(tmp, 'data') }, returnOnExit: true });
const { instance } = await WebAssembly.instantiate(fs.readFileSync(path.join(here, 'reactor.wasm')), wasi.getImportObject());
const x = instance.exports;
const out = (s) => fs.writeSync(1, s + '\n');
out(`initialized() before _initialize: ${x.initialized()}`);
wasi.initialize(instance);
out(`initialized(): ${x.initialized()}`);
out(`add(2, 40): ${x.add(2, 40)}`);
out(`add(-5, 3): ${x.add(-5, 3)}`);
out(`count_file_bytes(): ${x.count_file_bytes()}`);
x.hello();
fs.rmSync(tmp, { recursive: true, force: true });
