#!/usr/bin/env node
// Runs one test case under Node 20's node:wasi with the harness semantics described in README.md:
//   node node-run.mjs <case>        (case name, e.g. args_env, or a path to cases/<case>.properties)
// Prints the guest's stdout (exact bytes) and exits with the guest's exit code.
// Fixture directories are copied to a fresh temp dir; a sibling outside/secret.txt ("secret\n")
// is created next to them. After the run the script checks that outside/ is untouched and, if
// not, prints "node-run: OUTSIDE MODIFIED ..." on stderr (refresh-expected.sh refuses such runs).
// Node has no read-only preopens: ro mounts are mounted read-write (a note goes to stderr), so
// reference=spec cases with ro mounts do not match when run here.
// A trap or host error prints "node-run: ERROR ..." on stderr and exits 70.
// --keep keeps the temp dir (path printed on stderr).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WASI } from 'node:wasi';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const keep = argv.includes('--keep');
const caseArg = argv.find((a) => !a.startsWith('--'));
if (!caseArg) {
  console.error('usage: node node-run.mjs [--keep] <case>');
  process.exit(2);
}
const caseFile = caseArg.endsWith('.properties') ? caseArg : path.join(here, 'cases', `${caseArg}.properties`);

// Minimal java.util.Properties reader: comments (# !), key=value or key:value or key value,
// backslash line continuation, \\ \t \n \uXXXX escapes.
function readProperties(file) {
  const props = {};
  const raw = fs.readFileSync(file, 'latin1').split(/\r\n|\r|\n/);
  for (let i = 0; i < raw.length; i++) {
    let line = raw[i].replace(/^[ \t\f]+/, '');
    if (line === '' || line[0] === '#' || line[0] === '!') continue;
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && i + 1 < raw.length) {
      line = line.slice(0, -1) + raw[++i].replace(/^[ \t\f]+/, '');
    }
    const m = /^((?:\\.|[^=:\s\\])*)[ \t\f]*[=:]?[ \t\f]*(.*)$/.exec(line);
    const unesc = (s) => s.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, c) =>
      c[0] === 'u' && c.length === 5 ? String.fromCharCode(parseInt(c.slice(1), 16))
        : ({ t: '\t', n: '\n', r: '\r', f: '\f' }[c] ?? c));
    props[unesc(m[1])] = unesc(m[2]);
  }
  return props;
}

const words = (s) => (s ?? '').split(/\s+/).filter((w) => w !== '');
const props = readProperties(caseFile);
const program = props.program;
if (!program) throw new Error(`${caseFile}: no program=`);
const args = [path.basename(program), ...words(props.args)];
const env = {};
for (const kv of words(props.env)) {
  const eq = kv.indexOf('=');
  if (eq <= 0) throw new Error(`bad env entry ${kv}`);
  env[kv.slice(0, eq)] = kv.slice(eq + 1);
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wasi-case-'));
const preopens = {};
const mounts = words(props.mounts);
for (const m of mounts) {
  const [fixture, guest, mode, extra] = m.split(':');
  if (!fixture || !guest || !['rw', 'ro'].includes(mode) || extra !== undefined || fixture === 'outside') {
    throw new Error(`bad mount ${m}`);
  }
  const dst = path.join(tmp, fixture);
  if (fs.existsSync(dst)) throw new Error(`fixture ${fixture} mounted twice`);
  fs.cpSync(path.join(here, 'fixtures', fixture), dst, { recursive: true });
  if (mode === 'ro') console.error(`node-run: note: Node has no read-only preopens; ${guest} is mounted read-write`);
  preopens[guest] = dst;
}
const outsideDir = path.join(tmp, 'outside');
if (mounts.length > 0) {
  fs.mkdirSync(outsideDir);
  fs.writeFileSync(path.join(outsideDir, 'secret.txt'), 'secret\n');
}

const stdinFd = fs.openSync(props.stdin ? path.join(here, props.stdin) : '/dev/null', 'r');
const stdoutPath = path.join(tmp, '.stdout');
const stdoutFd = fs.openSync(stdoutPath, 'w');
const wasi = new WASI({
  version: 'preview1', args, env, preopens, returnOnExit: true,
  stdin: stdinFd, stdout: stdoutFd, stderr: 2,
});
let code;
try {
  const module = await WebAssembly.compile(fs.readFileSync(path.join(here, program)));
  const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
  code = wasi.start(instance) ?? 0;
} catch (e) {
  // a trap or a host error: not a valid reference run (refresh-expected.sh refuses it)
  console.error(`node-run: ERROR ${e.stack ?? e}`);
  code = 70;
}
fs.closeSync(stdoutFd);
fs.closeSync(stdinFd);

let status = code;
if (mounts.length > 0) {
  const entries = fs.readdirSync(outsideDir).sort();
  const secret = fs.existsSync(path.join(outsideDir, 'secret.txt'))
    ? fs.readFileSync(path.join(outsideDir, 'secret.txt'), 'latin1') : null;
  if (entries.join(',') !== 'secret.txt' || secret !== 'secret\n') {
    console.error(`node-run: OUTSIDE MODIFIED: outside/ now holds [${entries}], secret.txt=${JSON.stringify(secret)}`);
  }
}
fs.writeSync(1, fs.readFileSync(stdoutPath));
if (keep) console.error(`node-run: kept ${tmp}`);
else fs.rmSync(tmp, { recursive: true, force: true });
process.exitCode = status;
