// The Winograd F(4x4, 3x3) inner loops, written once over an 8-lane vector
// type and included by winograd_kernels_avx2.cpp and
// winograd_kernels_portable.cpp, each inside its own namespace, after
// defining Vec and v_load, v_store, v_set1, v_zero, v_add, v_sub, v_mul,
// v_fmadd (a * b + c), v_max, v_min for it. No include guard: included once
// per instruction set.
//
// Transforms (Lavin & Gray, "Fast Algorithms for Convolutional Neural
// Networks", 2016, points 0, 1, -1, 2, -2, infinity): V = B^T d B over each
// 6x6 input tile, M = V * U per point (U = G g G^T, transformed once at
// compile time), Y = A^T M A gives the 4x4 output tile.

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

// Gathers one 6x6 tile of one channel block (zeros outside the picture);
// `pixel` floats between horizontally adjacent pixels (8 in nChw8c, the
// channel count in channel-last data).
inline void load_tile(const float* plane, int h, int w, int pixel, int y0, int x0, Vec* d) {
  if (y0 >= 0 && x0 >= 0 && y0 + kInputTile <= h && x0 + kInputTile <= w) {
    for (int i = 0; i < kInputTile; ++i) {
      const float* row = plane + (static_cast<std::int64_t>(y0 + i) * w + x0) * pixel;
#pragma GCC unroll 6
      for (int j = 0; j < kInputTile; ++j) d[i * kInputTile + j] = v_load(row + j * pixel);
    }
    return;
  }
  for (int i = 0; i < kInputTile; ++i) {
    const int y = y0 + i;
    for (int j = 0; j < kInputTile; ++j) {
      const int x = x0 + j;
      d[i * kInputTile + j] = (y >= 0 && y < h && x >= 0 && x < w)
                                  ? v_load(plane + (static_cast<std::int64_t>(y) * w + x) * pixel)
                                  : v_zero();
    }
  }
}

// The same from a plain [channels][h][w] image of at most 8 channels: each
// pixel's channels gathered into one vector, zeros above `channels`.
inline void load_tile_planar(const float* image, int channels, int h, int w, int y0, int x0, Vec* d) {
  const std::int64_t plane = static_cast<std::int64_t>(h) * w;
  alignas(32) float lanes[kLanes] = {};
  for (int i = 0; i < kInputTile; ++i) {
    const int y = y0 + i;
    for (int j = 0; j < kInputTile; ++j) {
      const int x = x0 + j;
      const bool inside = y >= 0 && y < h && x >= 0 && x < w;
      for (int c = 0; c < channels; ++c) lanes[c] = inside ? image[c * plane + static_cast<std::int64_t>(y) * w + x] : 0.0f;
      d[i * kInputTile + j] = v_load(lanes);
    }
  }
}

inline Vec apply_epilogue(const Layer& layer, Vec x, int out_block, const float* residual_at) {
  for (int s = 0; s < layer.step_count; ++s) {
    const EpilogueStep& step = layer.steps[s];
    switch (step.kind) {
      case EpilogueStep::Kind::add:
        x = v_add(x, v_load(step.channel + out_block * kLanes));
        break;
      case EpilogueStep::Kind::mul:
        x = v_mul(x, v_load(step.channel + out_block * kLanes));
        break;
      case EpilogueStep::Kind::leaky:
        x = v_fmadd(v_set1(step.alpha), v_min(x, v_zero()), v_max(x, v_zero()));
        break;
      case EpilogueStep::Kind::prelu:
        x = v_fmadd(v_load(step.channel + out_block * kLanes), v_min(x, v_zero()), v_max(x, v_zero()));
        break;
      case EpilogueStep::Kind::clip:
        x = v_min(v_max(x, v_set1(step.low)), v_set1(step.high));
        break;
      case EpilogueStep::Kind::residual:
        x = v_add(x, v_load(residual_at));
        break;
    }
  }
  return x;
}

// C[rows x (vectors * 8)] = A[rows x k] * B[k x (vectors * 8)], A row stride
// lda, B and C row strides ldb, ldc. The accumulators stay in registers.
template <int Rows, int Vectors>
inline void gemm_block(const float* a, int lda, const float* b, int ldb, float* c, int ldc, int k) {
  Vec acc[Rows][Vectors];
#pragma GCC unroll 6
  for (int r = 0; r < Rows; ++r) {
#pragma GCC unroll 2
    for (int v = 0; v < Vectors; ++v) acc[r][v] = v_zero();
  }
  for (int p = 0; p < k; ++p) {
    Vec bv[Vectors];
#pragma GCC unroll 2
    for (int v = 0; v < Vectors; ++v) bv[v] = v_load(b + static_cast<std::int64_t>(p) * ldb + v * kLanes);
#pragma GCC unroll 6
    for (int r = 0; r < Rows; ++r) {
      const Vec av = v_set1(a[r * lda + p]);
#pragma GCC unroll 2
      for (int v = 0; v < Vectors; ++v) acc[r][v] = v_fmadd(av, bv[v], acc[r][v]);
    }
  }
#pragma GCC unroll 6
  for (int r = 0; r < Rows; ++r) {
#pragma GCC unroll 2
    for (int v = 0; v < Vectors; ++v) v_store(c + r * ldc + v * kLanes, acc[r][v]);
  }
}

template <int Vectors>
inline void gemm_rows(int rows, const float* a, int lda, const float* b, int ldb, float* c, int ldc, int k) {
  switch (rows) {
    case 1: gemm_block<1, Vectors>(a, lda, b, ldb, c, ldc, k); break;
    case 2: gemm_block<2, Vectors>(a, lda, b, ldb, c, ldc, k); break;
    case 3: gemm_block<3, Vectors>(a, lda, b, ldb, c, ldc, k); break;
    case 4: gemm_block<4, Vectors>(a, lda, b, ldb, c, ldc, k); break;
    case 5: gemm_block<5, Vectors>(a, lda, b, ldb, c, ldc, k); break;
    default: gemm_block<6, Vectors>(a, lda, b, ldb, c, ldc, k); break;
  }
}

// M = V * U for one point: [count x in] * [in x out].
inline void multiply_point(const float* v, const float* u, float* m, int count, int in, int out) {
  constexpr int kRows = 6;
  int column = 0;
  for (; column + 2 * kLanes <= out; column += 2 * kLanes) {
    for (int row = 0; row < count; row += kRows) {
      gemm_rows<2>(count - row < kRows ? count - row : kRows, v + static_cast<std::int64_t>(row) * in, in, u + column,
                   out, m + static_cast<std::int64_t>(row) * out + column, out, in);
    }
  }
  for (; column < out; column += kLanes) {
    for (int row = 0; row < count; row += kRows) {
      gemm_rows<1>(count - row < kRows ? count - row : kRows, v + static_cast<std::int64_t>(row) * in, in, u + column,
                   out, m + static_cast<std::int64_t>(row) * out + column, out, in);
    }
  }
}

// One output tile's channel block written depth-to-space into the plain
// output, with the nearest-upsampled residual added (Layer::shuffle_block).
inline void store_shuffled(const Layer& layer, const Vec* y, std::int64_t image, int oy, int ox, int rows_out,
                           int cols_out, int block, float* dst, const float* residual) {
  const int s = layer.shuffle_block;
  const int planes = layer.channels / (s * s);
  const std::int64_t out_h = static_cast<std::int64_t>(layer.out_h) * s;
  const std::int64_t out_w = static_cast<std::int64_t>(layer.out_w) * s;
  const int u = layer.upsample;
  const std::int64_t res_h = u > 0 ? out_h / u : 0;
  const std::int64_t res_w = u > 0 ? out_w / u : 0;
  const int lanes = layer.channels - block * kLanes < kLanes ? layer.channels - block * kLanes : kLanes;
  float* out_planes[kLanes];
  const float* res_planes[kLanes];
  int dys[kLanes], dxs[kLanes];
  for (int lane = 0; lane < lanes; ++lane) {
    const int channel = block * kLanes + lane;
    const int plane = layer.shuffle_crd ? channel / (s * s) : channel % planes;
    dys[lane] = layer.shuffle_crd ? (channel / s) % s : channel / (planes * s);
    dxs[lane] = layer.shuffle_crd ? channel % s : (channel / planes) % s;
    out_planes[lane] = dst + (image * planes + plane) * out_h * out_w;
    res_planes[lane] = u > 0 ? residual + (image * planes + plane) * res_h * res_w : nullptr;
  }
  alignas(32) float values[kLanes];
  for (int i = 0; i < rows_out; ++i) {
    for (int j = 0; j < cols_out; ++j) {
      v_store(values, apply_epilogue(layer, y[i * kTile + j], block, nullptr));
      for (int lane = 0; lane < lanes; ++lane) {
        const std::int64_t row = static_cast<std::int64_t>(oy + i) * s + dys[lane];
        const std::int64_t column = static_cast<std::int64_t>(ox + j) * s + dxs[lane];
        float value = values[lane];
        if (u > 0) value += res_planes[lane][(row / u) * res_w + column / u];
        out_planes[lane][row * out_w + column] = value;
      }
    }
  }
}

void run_tiles(const Layer& layer, const float* src, float* dst, const float* residual, std::int64_t first, int count,
               float* scratch) {
  const int in = layer.in_blocks * kLanes;
  const int out = layer.out_blocks * kLanes;
  float* v_all = scratch;                                               // [36][count][in]
  float* m_all = scratch + static_cast<std::int64_t>(kPoints) * count * in;  // [36][count][out]
  const std::int64_t tiles_per_image = static_cast<std::int64_t>(layer.tiles_y) * layer.tiles_x;
  const std::int64_t in_plane = static_cast<std::int64_t>(layer.in_h) * layer.in_w * kLanes;
  const std::int64_t out_plane = static_cast<std::int64_t>(layer.out_h) * layer.out_w * kLanes;

  // Input transform: V[point][tile][channel].
  for (int t = 0; t < count; ++t) {
    const std::int64_t tile = first + t;
    const std::int64_t image = tile / tiles_per_image;
    const int ty = static_cast<int>((tile % tiles_per_image) / layer.tiles_x);
    const int tx = static_cast<int>(tile % layer.tiles_x);
    const int y0 = ty * kTile - layer.pad_top;
    const int x0 = tx * kTile - layer.pad_left;
    for (int block = 0; block < layer.in_blocks; ++block) {
      Vec d[kPoints];
      Vec rows[kPoints];
      Vec v[kPoints];
      if (layer.planar_channels > 0) {
        const float* picture = src + image * layer.planar_channels * (in_plane / kLanes);
        load_tile_planar(picture, layer.planar_channels, layer.in_h, layer.in_w, y0, x0, d);
      } else {
        if (layer.channel_last_input) {
          const float* picture = src + image * layer.in_blocks * in_plane;  // [h][w][in_blocks * 8]
          load_tile(picture + block * kLanes, layer.in_h, layer.in_w, layer.in_blocks * kLanes, y0, x0, d);
        } else {
          load_tile(src + (image * layer.in_blocks + block) * in_plane, layer.in_h, layer.in_w, kLanes, y0, x0, d);
        }
      }
      for (int j = 0; j < kInputTile; ++j) input_1d(d + j, kInputTile, rows + j, kInputTile);
      for (int i = 0; i < kInputTile; ++i) input_1d(rows + i * kInputTile, 1, v + i * kInputTile, 1);
      float* at = v_all + static_cast<std::int64_t>(t) * in + block * kLanes;
      for (int p = 0; p < kPoints; ++p) v_store(at + static_cast<std::int64_t>(p) * count * in, v[p]);
    }
  }
  // The 36 products.
  for (int p = 0; p < kPoints; ++p) {
    multiply_point(v_all + static_cast<std::int64_t>(p) * count * in,
                   layer.filters + static_cast<std::int64_t>(p) * in * out,
                   m_all + static_cast<std::int64_t>(p) * count * out, count, in, out);
  }
  // Output transform and epilogue.
  for (int t = 0; t < count; ++t) {
    const std::int64_t tile = first + t;
    const std::int64_t image = tile / tiles_per_image;
    const int ty = static_cast<int>((tile % tiles_per_image) / layer.tiles_x);
    const int tx = static_cast<int>(tile % layer.tiles_x);
    const int rows_out = layer.out_h - ty * kTile < kTile ? layer.out_h - ty * kTile : kTile;
    const int cols_out = layer.out_w - tx * kTile < kTile ? layer.out_w - tx * kTile : kTile;
    for (int block = 0; block < layer.out_blocks; ++block) {
      if (layer.shuffle_block > 1 && block * kLanes >= layer.channels) break;
      Vec m[kPoints];
      const float* at = m_all + static_cast<std::int64_t>(t) * out + block * kLanes;
      for (int p = 0; p < kPoints; ++p) m[p] = v_load(at + static_cast<std::int64_t>(p) * count * out);
      Vec columns[kTile * kInputTile];
      Vec y[kTile * kTile];
      for (int j = 0; j < kInputTile; ++j) output_1d(m + j, kInputTile, columns + j, kInputTile);
      for (int i = 0; i < kTile; ++i) output_1d(columns + i * kInputTile, 1, y + i * kTile, 1);
      if (layer.shuffle_block > 1) {
        store_shuffled(layer, y, image, ty * kTile, tx * kTile, rows_out, cols_out, block, dst, residual);
        continue;
      }
      const std::int64_t plane = (image * layer.out_blocks + block) * out_plane;
      for (int i = 0; i < rows_out; ++i) {
        const std::int64_t row = plane + (static_cast<std::int64_t>(ty * kTile + i) * layer.out_w + tx * kTile) * kLanes;
        for (int j = 0; j < cols_out; ++j) {
          const std::int64_t offset = row + j * kLanes;
          v_store(dst + offset,
                  apply_epilogue(layer, y[i * kTile + j], block, residual != nullptr ? residual + offset : nullptr));
        }
      }
    }
  }
}
