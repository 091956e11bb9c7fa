// What a Winograd F(4x4, 3x3) tile computes, independent of where its data
// lies: the 1-D transforms and the epilogue, over a vector type Vec of one
// or more channel blocks of 8. Included inside an instruction set's
// namespace after Vec, v_load, v_store, v_set1, v_zero, v_add, v_sub,
// v_mul, v_fmadd, v_max, v_min and v_load_blocks(at, next_block) (a vector
// of consecutive channel blocks, `next_block` floats apart in nChw8c); by
// winograd_kernel_body.hpp for 8 lanes and by winograd_kernels_avx512.cpp a
// second time for 16. No include guard.

// 1-D input transform B^T over 6 values.
inline void input_1d(const Vec* d, int step, Vec* out, int out_step) {
  const Vec four = v_set1(4.0f);
  const Vec two = v_set1(2.0f);
  const Vec five = v_set1(5.0f);
  const Vec d0 = d[0], d1 = d[step], d2 = d[2 * step], d3 = d[3 * step], d4 = d[4 * step], d5 = d[5 * step];
  out[0] = v_add(v_sub(v_mul(four, d0), v_mul(five, d2)), d4);
  out[out_step] = v_sub(v_add(d3, d4), v_mul(four, v_add(d1, d2)));
  out[2 * out_step] = v_add(v_mul(four, v_sub(d1, d2)), v_sub(d4, d3));
  out[3 * out_step] = v_add(v_mul(two, v_sub(d3, d1)), v_sub(d4, d2));
  out[4 * out_step] = v_add(v_mul(two, v_sub(d1, d3)), v_sub(d4, d2));
  out[5 * out_step] = v_add(v_sub(v_mul(four, d1), v_mul(five, d3)), d5);
}

// 1-D output transform A^T: 6 values to 4.
inline void output_1d(const Vec* m, int step, Vec* out, int out_step) {
  const Vec s12 = v_add(m[step], m[2 * step]);
  const Vec d12 = v_sub(m[step], m[2 * step]);
  const Vec s34 = v_add(m[3 * step], m[4 * step]);
  const Vec d34 = v_sub(m[3 * step], m[4 * step]);
  out[0] = v_add(v_add(m[0], s12), s34);
  out[out_step] = v_fmadd(v_set1(2.0f), d34, d12);
  out[2 * out_step] = v_fmadd(v_set1(4.0f), s34, s12);
  out[3 * out_step] = v_add(v_fmadd(v_set1(8.0f), d34, d12), m[5 * step]);
}

// V = B^T d B over a 6x6 tile `d` (row-major), into `v`.
inline void input_tile(const Vec* d, Vec* v) {
  Vec rows[kPoints];
  for (int j = 0; j < kInputTile; ++j) input_1d(d + j, kInputTile, rows + j, kInputTile);
  for (int i = 0; i < kInputTile; ++i) input_1d(rows + i * kInputTile, 1, v + i * kInputTile, 1);
}

// Y = A^T M A: the 36 products `m` of a tile to its 4x4 outputs `y`.
inline void output_tile(const Vec* m, Vec* y) {
  Vec columns[kTile * kInputTile];
  for (int j = 0; j < kInputTile; ++j) output_1d(m + j, kInputTile, columns + j, kInputTile);
  for (int i = 0; i < kTile; ++i) output_1d(columns + i * kInputTile, 1, y + i * kTile, 1);
}

// The epilogue over one output tile's 16 vectors of one or more channel
// blocks (the first `out_block`), step by step (each step's constants loaded
// once for the tile). A residual step reads `residual` where `span` says the
// tile lies, only the rows_out x cols_out pixels inside the picture.
inline void apply_epilogue(const Layer& layer, Vec* y, int out_block, const float* residual, const OutputSpan& span,
                           int rows_out, int cols_out) {
  constexpr int kPixels = kTile * kTile;
  for (int s = 0; s < layer.step_count; ++s) {
    const EpilogueStep& step = layer.steps[s];
    switch (step.kind) {
      case EpilogueStep::Kind::add: {
        const Vec c = v_load(step.channel + out_block * kLanes);
        for (int i = 0; i < kPixels; ++i) y[i] = v_add(y[i], c);
        break;
      }
      case EpilogueStep::Kind::mul: {
        const Vec c = v_load(step.channel + out_block * kLanes);
        for (int i = 0; i < kPixels; ++i) y[i] = v_mul(y[i], c);
        break;
      }
      case EpilogueStep::Kind::leaky: {
        const Vec alpha = v_set1(step.alpha);
        for (int i = 0; i < kPixels; ++i) y[i] = v_fmadd(alpha, v_min(y[i], v_zero()), v_max(y[i], v_zero()));
        break;
      }
      case EpilogueStep::Kind::prelu: {
        const Vec slope = v_load(step.channel + out_block * kLanes);
        for (int i = 0; i < kPixels; ++i) y[i] = v_fmadd(slope, v_min(y[i], v_zero()), v_max(y[i], v_zero()));
        break;
      }
      case EpilogueStep::Kind::clip: {
        const Vec low = v_set1(step.low), high = v_set1(step.high);
        for (int i = 0; i < kPixels; ++i) y[i] = v_min(v_max(y[i], low), high);
        break;
      }
      case EpilogueStep::Kind::residual:
        for (int i = 0; i < rows_out; ++i) {
          for (int j = 0; j < cols_out; ++j) {
            const float* at = residual + span.first + i * span.row + j * span.pixel;
            y[i * kTile + j] = v_add(y[i * kTile + j], v_load_blocks(at, span.next_block));
          }
        }
        break;
    }
  }
}

