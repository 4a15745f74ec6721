#!/usr/bin/env node
// Node's V8 running testdata/wasm/fib.wasm: the NODE_V8 way of ComputeBenchmark.
//
// Measures fib(25) and sum(100000) like JMH's AverageTime mode: warm-up rounds, then measurement
// rounds of a fixed duration; each round calls the export until its time is up and scores
// elapsed time / calls. Prints a JSON array shaped like JMH's `-rf json` output on stdout (score =
// mean of the rounds, scoreError = half-width of the 99.9% Student-t confidence interval, as JMH
// computes it) and a human-readable summary on stderr.
//
// Usage, from the repository root:
//   node bench-tools/node-bench.mjs > /tmp/node.json
//   node bench-tools/node-bench.mjs --warmup 3 --warmup-time 2 --rounds 5 --time 2 --wasm testdata/wasm/fib.wasm
//
// The defaults match `-wi 3 -w 2s -i 5 -r 2s`. Times are in seconds.

import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import process from 'node:process';

const here = path.dirname(fileURLToPath(import.meta.url));
const options = {
  wasm: path.join(here, '..', 'testdata', 'wasm', 'fib.wasm'),
  warmup: 3,
  'warmup-time': 2,
  rounds: 5,
  time: 2,
  benchmark: 'dev.wasmhost.bench.ComputeBenchmark',
};

function usage(message) {
  if (message) console.error(`node-bench: ${message}`);
  console.error(
    'usage: node bench-tools/node-bench.mjs [--wasm FILE] [--warmup N] [--warmup-time SECONDS]\n' +
      '                                     [--rounds N] [--time SECONDS] [--benchmark CLASS]');
  process.exit(message ? 2 : 0);
}

const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const arg = argv[i];
  if (arg === '-h' || arg === '--help') usage();
  const [key, inline] = arg.startsWith('--') ? arg.slice(2).split(/=(.*)/s, 2) : [null];
  if (!key || !(key in options)) usage(`unknown option ${arg}`);
  const value = inline ?? argv[++i];
  if (value === undefined) usage(`${arg} needs a value`);
  if (typeof options[key] === 'number') {
    const n = Number(value);
    if (!(n >= 0) || (key !== 'warmup' && n === 0)) usage(`${arg} must be a positive number, was ${value}`);
    options[key] = n;
  } else {
    options[key] = value;
  }
}
if (!Number.isInteger(options.warmup) || !Number.isInteger(options.rounds) || options.rounds < 1) {
  usage('--warmup and --rounds must be whole numbers, --rounds at least 1');
}

const { instance } = await WebAssembly.instantiate(await readFile(options.wasm));
const { fib, sum } = instance.exports;

// Inputs in variables and results folded into a sink, so that nothing can be folded away.
let fibN = 25n; // i64 parameters and results cross the JS boundary as BigInt
let sumN = 100_000;
let sink = 0n;

const benchmarks = [
  { method: 'fib', expected: 75025n, run: () => fib(fibN) },
  { method: 'sum', expected: 4999950000n, run: () => sum(sumN) },
];

// Two-sided 99.9% Student t quantiles (t at 0.9995) by degrees of freedom; JMH uses the same level.
const T_9995 = [
  NaN, 636.619, 31.599, 12.924, 8.610, 6.869, 5.959, 5.408, 5.041, 4.781, 4.587, 4.437, 4.318,
  4.221, 4.140, 4.073, 4.015, 3.965, 3.922, 3.883, 3.850, 3.819, 3.792, 3.768, 3.745, 3.725,
  3.707, 3.690, 3.674, 3.659, 3.646,
];
const tQuantile = (df) => (df < T_9995.length ? T_9995[df] : df <= 60 ? 3.460 : df <= 120 ? 3.373 : 3.291);

/** One round: calls `run` until `seconds` have passed; returns microseconds per call. */
function round(run, seconds) {
  const budget = BigInt(Math.round(seconds * 1e9));
  const start = process.hrtime.bigint();
  let calls = 0;
  let elapsed = 0n;
  // Check the clock every `batch` calls, growing the batch so the clock read costs nothing.
  let batch = 1;
  do {
    for (let i = 0; i < batch; i++) sink ^= run();
    calls += batch;
    elapsed = process.hrtime.bigint() - start;
    if (elapsed * 100n < budget) batch *= 2;
  } while (elapsed < budget);
  return Number(elapsed) / 1e3 / calls;
}

function stats(samples) {
  const n = samples.length;
  const mean = samples.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? samples.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) : NaN;
  const stdev = Math.sqrt(variance);
  const error = n > 1 ? tQuantile(n - 1) * stdev / Math.sqrt(n) : NaN;
  return { mean, stdev, error, min: Math.min(...samples), max: Math.max(...samples) };
}

const results = [];
for (const b of benchmarks) {
  const got = b.run();
  if (got !== b.expected) throw new Error(`${b.method} returned ${got}, expected ${b.expected}`);
  const name = `${options.benchmark}.${b.method}`;
  for (let i = 1; i <= options.warmup; i++) {
    const s = round(b.run, options['warmup-time']);
    console.error(`# ${name} warmup ${i}: ${s.toFixed(3)} us/op`);
  }
  const samples = [];
  for (let i = 1; i <= options.rounds; i++) {
    const s = round(b.run, options.time);
    samples.push(s);
    console.error(`# ${name} round ${i}: ${s.toFixed(3)} us/op`);
  }
  const st = stats(samples);
  console.error(`${name} way=NODE_V8: ${st.mean.toFixed(3)} ± ${st.error.toFixed(3)} us/op (stdev ${st.stdev.toFixed(3)})`);
  results.push({
    benchmark: name,
    mode: 'avgt',
    threads: 1,
    forks: 1,
    jvm: process.execPath,
    vmName: 'node',
    vmVersion: process.version,
    v8Version: process.versions.v8,
    warmupIterations: options.warmup,
    warmupTime: `${options['warmup-time']} s`,
    measurementIterations: options.rounds,
    measurementTime: `${options.time} s`,
    params: { way: 'NODE_V8' },
    primaryMetric: {
      score: st.mean,
      scoreError: Number.isNaN(st.error) ? 'NaN' : st.error,
      scoreConfidence: [st.mean - (st.error || 0), st.mean + (st.error || 0)],
      scoreStdev: st.stdev,
      scoreUnit: 'us/op',
      rawData: [samples],
    },
    secondaryMetrics: {},
  });
}

if (sink === -1n) console.error('unreachable'); // keeps the sink alive
process.stdout.write(JSON.stringify(results, null, 2) + '\n');
