// Dust removal: repairs the two kinds of film damage that show as impulses.
// Dust and dirt are in one frame only: a pixel is dust where its motion-
// compensated neighbours (the previous and next frame lined up with it by
// motion_search) agree with each other and it differs from both in the same
// direction by more than a threshold; it is replaced by their mean. Moving
// content is not smeared: where motion compensation fails the neighbours
// disagree and nothing is touched. Vertical scratches run down most of the
// frame height in one column band (1-3 pixels) and may persist over many
// frames, so they are found in one frame: a narrow band brighter or darker
// than the columns on both sides, with the same sign down most of the height,
// is interpolated across from the clean columns on either side.
#pragma once

#include <cstddef>

#include "preprocess/frame.hpp"

namespace r4k {

struct DustSettings {
  // Dust: the least difference (0..1) of a pixel's luma from both motion-
  // compensated neighbours; raised to noise_factor x sqrt(2) x the estimated
  // noise sigma of the current frame's luma where the footage is grainier.
  double threshold = 0.06;
  double noise_factor = 3.0;
  // The neighbours agree when they differ by less than this fraction of the
  // smaller of the two differences of the current pixel from them.
  double agreement = 0.5;
  // Connected detections larger than this (luma pixels) are left alone: a
  // large area unlike both neighbours is more likely content (a flash, an
  // object the motion search missed) than dirt.
  int max_speck_area = 2500;
  // Motion search for the compensation (luma pixels).
  int block = 8;
  int search_range = 7;

  // Also repair vertical scratches (repair_scratches) after the dust.
  bool scratches = false;
  // Scratches: the widest band (luma pixels) taken as one scratch.
  int max_scratch_width = 3;
  // The least contrast (0..1) of the band against the columns on both sides,
  // measured on luma smoothed down the column over 9 rows.
  double scratch_contrast = 0.025;
  // The least fraction of the rows where the band shows that contrast with
  // one sign.
  double scratch_coverage = 0.6;
};

struct DustReport {
  std::size_t repaired_pixels = 0;  // luma pixels replaced by dust removal
  int scratch_columns = 0;          // luma columns repaired by repair_scratches
};

// Repairs dust in `current` from its neighbours (all three the same size and
// colour model; alpha is left alone). Luma and chroma (or R', G', B') alike.
DustReport remove_dust(const Frame& previous, Frame& current, const Frame& next, const DustSettings& settings);

// Repairs vertical scratches in one frame (luma and chroma, or R', G', B');
// returns the luma columns repaired (a band's soft edges included). Only the
// rows where the band shows are repaired. Any full-height line of up to
// max_scratch_width (plus soft edges) is taken for a scratch: one frame
// cannot tell it from a thin vertical line in the picture.
int repair_scratches(Frame& current, const DustSettings& settings);

}  // namespace r4k
