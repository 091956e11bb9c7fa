// RasterBandPlan: which bands of a raster the model upscales and which are
// carried with the classical filter, so that a default never drops a band.
//
// Raster bands are measurements, not a colour picture: a 1-channel model
// runs on every band on its own (no Y'CbCr conversion); a 3-channel model
// takes the bands whose colour interpretation is red, green and blue (else
// the first three chosen); a model of C channels takes the first C. Every
// other chosen band is upscaled with the classical filter and kept, unless
// the user asks for it to be left out (OtherBands::drop).
//
// Categorical bands (a palette's indices, or bands the user names: classes,
// not quantities) and alpha bands are upscaled nearest, never smoothed and
// never given to a model; a neural model with nothing else to take is refused.
#pragma once

#include <string>
#include <vector>

#include "decode/raster_dataset.hpp"

namespace r4k::decode {

// What happens to the chosen bands the model does not take.
// In the order of its setting's choices (config/settings.cpp).
enum class OtherBands { classical, drop };
OtherBands parse_other_bands(const std::string& text);  // classical | drop; throws InputError
std::string to_string(OtherBands policy);

struct RasterBandPlan {
  std::vector<int> bands;  // 1-based source bands, in output order
  // Each group is one model input: positions in `bands`, in the model's
  // channel order. A classical-filter "model" takes every band in one group.
  std::vector<std::vector<int>> model_groups;
  std::vector<int> classical;  // positions in `bands` upscaled with the classical filter
  std::vector<int> nearest;    // positions in `bands` upscaled nearest (categorical, alpha)
  std::vector<int> dropped;    // 1-based source bands left out (OtherBands::drop)

  // "1,2,3" and friends, for metadata and logs (1-based source band numbers).
  std::string source_bands_text() const;
  std::string model_bands_text() const;      // groups separated by ';'
  std::string classical_bands_text() const;
  std::string nearest_bands_text() const;
};

// `band_text` is --bands ("" = every band, in file order). `model_channels`
// is what the model takes (0 = any number: a classical filter).
// `categorical_text` names more categorical bands ("5,6", 1-based source
// numbers, among the chosen). Throws InputError naming the raster and the
// band when the choice cannot feed the model.
RasterBandPlan plan_raster_bands(const RasterInfo& info, const std::string& band_text, int model_channels,
                                 OtherBands policy, const std::string& categorical_text = "");

// Whether band `band` (1-based) of `info` holds classes: a palette's indices.
bool palette_band(const RasterInfo& info, int band);

// Serialised positions: "0,1,2;3" <-> {{0,1,2},{3}}; "" <-> {}.
std::string format_band_groups(const std::vector<std::vector<int>>& groups);
std::vector<std::vector<int>> parse_band_groups(const std::string& text);

}  // namespace r4k::decode
