#!/usr/bin/env node
// That ONNX Runtime reads and runs a QDQ model written by `restore4k models
// compress`, and computes what the fp32 model it came from computes, within
// quantization error: both run on the same smooth 8-bit-valued input (CPU,
// graph optimisations on, so ORT fuses the QDQ pairs into its own int8
// kernels), and the PSNR of the QDQ output against the fp32 output is
// printed. Exits 1 when a session cannot be made or run, or the PSNR is
// below --min-psnr. Used by bench/int8_bench.sh.
//
//   node bench/ort_peer/ort_qdq_check.js FP32.onnx QDQ.onnx [--tile 64] [--threads 2] [--min-psnr 35]
//
// Output (machine-readable):
//   ort_qdq tile=64 psnr_db=52.10 max_abs=0.0123 onnxruntime=1.30.0
'use strict';
const ort = require('onnxruntime-node');

function parseArguments(argv) {
  const options = { models: [], tile: 64, threads: 2, minPsnr: 35 };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    if (a === '--tile') options.tile = Number(argv[++i]);
    else if (a === '--threads') options.threads = Number(argv[++i]);
    else if (a === '--min-psnr') options.minPsnr = Number(argv[++i]);
    else options.models.push(a);
  }
  if (options.models.length !== 2) throw new Error('usage: ort_qdq_check.js FP32.onnx QDQ.onnx [--tile T]');
  return options;
}

// Smooth 8-bit code values in [0, 1]: sums of a few sinusoids per channel.
function picture(channels, tile) {
  const data = new Float32Array(channels * tile * tile);
  for (let c = 0; c < channels; ++c) {
    for (let y = 0; y < tile; ++y) {
      for (let x = 0; x < tile; ++x) {
        const v = 0.5 + 0.25 * Math.sin(0.21 * x + 1.3 * c) + 0.2 * Math.cos(0.17 * y - 0.4 * c) +
                  0.05 * Math.sin(0.9 * (x + y));
        data[(c * tile + y) * tile + x] = Math.round(Math.min(Math.max(v, 0), 1) * 255) / 255;
      }
    }
  }
  return data;
}

async function run(model, options, data) {
  const session = await ort.InferenceSession.create(model, {
    executionProviders: ['cpu'],
    intraOpNumThreads: options.threads,
    graphOptimizationLevel: 'all',
  });
  const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', data, [1, 3, options.tile, options.tile]) };
  const result = await session.run(feeds);
  return result[session.outputNames[0]].data;
}

async function main() {
  const options = parseArguments(process.argv.slice(2));
  const data = picture(3, options.tile);
  const reference = await run(options.models[0], options, data);
  const quantized = await run(options.models[1], options, data);
  if (reference.length !== quantized.length) throw new Error(`output sizes differ: ${reference.length} vs ${quantized.length}`);
  let squared = 0;
  let worst = 0;
  for (let i = 0; i < reference.length; ++i) {
    const d = Math.min(Math.max(quantized[i], 0), 1) - Math.min(Math.max(reference[i], 0), 1);
    squared += d * d;
    worst = Math.max(worst, Math.abs(d));
  }
  const psnr = squared > 0 ? 10 * Math.log10(reference.length / squared) : Infinity;
  console.log(`ort_qdq tile=${options.tile} psnr_db=${psnr.toFixed(2)} max_abs=${worst.toFixed(4)} ` +
              `onnxruntime=${ort.env.versions.common || 'node'}`);
  if (!(psnr >= options.minPsnr)) {
    console.error(`ort_qdq_check: PSNR ${psnr.toFixed(2)} dB below ${options.minPsnr} dB`);
    process.exit(1);
  }
}

main().catch((error) => {
  console.error(`ort_qdq_check: ${error.message || error}`);
  process.exit(1);
});
