#!/usr/bin/env node
// ONNX Runtime CPU (onnxruntime-node) on one ONNX model, timed the way
// `restore4k bench` times an engine: batch 1, N x C x T x T float input drawn
// uniformly from [0, 1], warm-up runs first, then runs until at least
// --seconds have passed (and at least 3 runs); tiles/s = runs / elapsed.
// The median run is printed beside it. Used by bench/winograd_bench.sh.
//
//   node bench/ort_peer/ort_bench.js MODEL.onnx --tile 64 128 256 [--seconds 5] [--threads 2] [--channels 3]
//
// Output, one line a tile (machine-readable):
//   ort tile=128 tiles_per_s=12.345 median_s=0.0810 runs=62 seconds=5.02
'use strict';
const ort = require('onnxruntime-node');

function parseArguments(argv) {
  const options = { model: null, tiles: [], seconds: 5, threads: 2, channels: 3, warmup: 2 };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    if (a === '--tile') {
      while (i + 1 < argv.length && /^\d+$/.test(argv[i + 1])) options.tiles.push(Number(argv[++i]));
    } else if (a === '--seconds') options.seconds = Number(argv[++i]);
    else if (a === '--threads') options.threads = Number(argv[++i]);
    else if (a === '--channels') options.channels = Number(argv[++i]);
    else if (a === '--warmup') options.warmup = Number(argv[++i]);
    else if (!options.model) options.model = a;
    else throw new Error(`unexpected argument ${a}`);
  }
  if (!options.model || options.tiles.length === 0) {
    throw new Error('usage: ort_bench.js MODEL.onnx --tile T... [--seconds S] [--threads N] [--channels C]');
  }
  return options;
}

// A small deterministic generator (the values only need to be non-trivial).
function fillUniform(array, seed) {
  let state = seed >>> 0;
  for (let i = 0; i < array.length; ++i) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    array[i] = state / 4294967296;
  }
}

async function main() {
  const options = parseArguments(process.argv.slice(2));
  const session = await ort.InferenceSession.create(options.model, {
    executionProviders: ['cpu'],
    intraOpNumThreads: options.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const inputName = session.inputNames[0];
  console.log(`onnxruntime-node ${ort.env.versions.node}, cpu, intra-op threads ${options.threads}, ` +
              `input ${inputName}, model ${options.model}`);
  for (const tile of options.tiles) {
    const data = new Float32Array(options.channels * tile * tile);
    fillUniform(data, 7);
    const feeds = { [inputName]: new ort.Tensor('float32', data, [1, options.channels, tile, tile]) };
    for (let i = 0; i < options.warmup; ++i) await session.run(feeds);
    const times = [];
    const start = process.hrtime.bigint();
    let elapsed = 0;
    while (times.length < 3 || elapsed < options.seconds) {
      const t0 = process.hrtime.bigint();
      await session.run(feeds);
      const t1 = process.hrtime.bigint();
      times.push(Number(t1 - t0) / 1e9);
      elapsed = Number(t1 - start) / 1e9;
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)];
    console.log(`ort tile=${tile} tiles_per_s=${(times.length / elapsed).toFixed(4)} median_s=${median.toFixed(5)} ` +
                `runs=${times.length} seconds=${elapsed.toFixed(2)}`);
  }
}

main().catch((error) => {
  console.error(`ort_bench: ${error.message || error}`);
  process.exit(1);
});
