// Dust removal and denoise as TemporalStages (see temporal_stage.hpp): each
// reads the previous and the next frame as they came in, so it looks one
// frame ahead. The first and last frames of a stream have one neighbour:
// dust is not searched there (one neighbour cannot tell dust from content),
// the denoise uses the neighbour it has.
#pragma once

#include <cstddef>

#include "preprocess/denoise.hpp"
#include "preprocess/dust_removal.hpp"
#include "preprocess/temporal_stage.hpp"

namespace r4k {

class DustStage : public TemporalStage {
 public:
  DustStage(const DustSettings& settings, bool dust) : settings_(settings), dust_(dust) {}
  int lookahead() const override { return dust_ ? 1 : 0; }
  int context() const override { return dust_ ? 1 : 0; }
  void process(const FrameWindow& window, Frame& current) override;
  // Totals so far (for the element's log).
  const DustReport& totals() const { return totals_; }

 private:
  DustSettings settings_;
  bool dust_;
  DustReport totals_;
};

class DenoiseStage : public TemporalStage {
 public:
  explicit DenoiseStage(const DenoiseSettings& settings) : settings_(settings) {}
  int lookahead() const override { return settings_.temporal ? 1 : 0; }
  int context() const override { return settings_.temporal ? 1 : 0; }
  void process(const FrameWindow& window, Frame& current) override;

 private:
  DenoiseSettings settings_;
};

}  // namespace r4k
