#include "decode/raster_band_plan.hpp"

#include "config/settings.hpp"

#include <algorithm>
#include <sstream>

#include "core/error.hpp"

namespace r4k::decode {
namespace {

std::string join_source_bands(const std::vector<int>& bands, const std::vector<int>& positions) {
  std::string text;
  for (int position : positions) {
    text += (text.empty() ? "" : ",") + std::to_string(bands[static_cast<std::size_t>(position)]);
  }
  return text;
}

// Positions of the bands interpreted as red, green and blue, in that order,
// when all three are among the chosen bands.
std::vector<int> colour_positions(const RasterInfo& info, const std::vector<int>& bands) {
  std::vector<int> positions;
  for (const char* colour : {"Red", "Green", "Blue"}) {
    for (std::size_t i = 0; i < bands.size(); ++i) {
      if (info.bands[static_cast<std::size_t>(bands[i] - 1)].colour == colour) {
        positions.push_back(static_cast<int>(i));
        break;
      }
    }
  }
  if (positions.size() != 3) positions.clear();
  return positions;
}

}  // namespace

OtherBands parse_other_bands(const std::string& text) {
  const auto index = settings::choice_index("raster.other_bands", text);
  if (!index) {
    throw InputError("raster.other_bands: " + settings::check(*settings::find("raster.other_bands"), text).message);
  }
  return static_cast<OtherBands>(*index);
}

std::string to_string(OtherBands policy) { return settings::choice_name("raster.other_bands", static_cast<int>(policy)); }

std::string RasterBandPlan::source_bands_text() const {
  std::vector<int> all(bands.size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int>(i);
  return join_source_bands(bands, all);
}

std::string RasterBandPlan::model_bands_text() const {
  std::string text;
  for (std::size_t g = 0; g < model_groups.size(); ++g) {
    text += (g ? ";" : "") + join_source_bands(bands, model_groups[g]);
  }
  return text;
}

std::string RasterBandPlan::classical_bands_text() const { return join_source_bands(bands, classical); }

std::string RasterBandPlan::nearest_bands_text() const { return join_source_bands(bands, nearest); }

bool palette_band(const RasterInfo& info, int band) {
  const RasterBandInfo& b = info.bands[static_cast<std::size_t>(band - 1)];
  return b.colour_table || b.colour == "Palette";
}

RasterBandPlan plan_raster_bands(const RasterInfo& info, const std::string& band_text, int model_channels,
                                 OtherBands policy, const std::string& categorical_text) {
  const int band_count = static_cast<int>(info.bands.size());
  RasterBandPlan plan;
  std::vector<int> chosen = parse_band_list(band_text, band_count, 0, info.path);
  // Bands upscaled nearest: palettes, the user's categorical bands, alpha.
  std::vector<bool> nearest(chosen.size(), false);
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    nearest[i] = palette_band(info, chosen[i]) || info.bands[static_cast<std::size_t>(chosen[i] - 1)].colour == "Alpha";
  }
  if (!categorical_text.empty()) {
    for (int band : parse_band_list(categorical_text, band_count, 0, info.path)) {
      const auto at = std::find(chosen.begin(), chosen.end(), band);
      if (at == chosen.end()) {
        std::string chosen_text;
        for (int c : chosen) chosen_text += (chosen_text.empty() ? "" : ",") + std::to_string(c);
        throw InputError("categorical bands '" + categorical_text + "': band " + std::to_string(band) +
                         " is not among the bands chosen (" + chosen_text + ")");
      }
      nearest[static_cast<std::size_t>(at - chosen.begin())] = true;
    }
  }
  std::vector<int> candidates;  // positions the model may take
  std::vector<int> nearest_positions;
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    (nearest[i] ? nearest_positions : candidates).push_back(static_cast<int>(i));
  }
  const auto nearest_note = [&]() {
    return nearest_positions.empty()
               ? std::string()
               : " (band(s) " + join_source_bands(chosen, nearest_positions) +
                     " are categorical or alpha: upscaled nearest, never by a model)";
  };

  std::vector<std::vector<int>> groups;
  if (model_channels <= 0) {
    if (!candidates.empty()) groups.push_back(candidates);  // a classical filter takes any number of bands at once
  } else if (model_channels == 1) {
    for (int position : candidates) groups.push_back({position});
  } else {
    if (static_cast<int>(candidates.size()) < model_channels) {
      const std::string source = band_text.empty() ? "the raster has " : "bands '" + band_text + "' give it ";
      throw InputError(info.path.string() + ": the model takes " + std::to_string(model_channels) + " channels but " +
                       (nearest_positions.empty() ? source + std::to_string(candidates.size()) + " band(s)"
                                                  : "only " + std::to_string(candidates.size()) +
                                                        " band(s) can go to it" + nearest_note()) +
                       ": choose at least " + std::to_string(model_channels) +
                       " with --bands, or use a model for fewer channels");
    }
    std::vector<int> chosen_candidates;
    for (int position : candidates) chosen_candidates.push_back(chosen[static_cast<std::size_t>(position)]);
    std::vector<int> group = model_channels == 3 ? colour_positions(info, chosen_candidates) : std::vector<int>{};
    for (int& position : group) position = candidates[static_cast<std::size_t>(position)];
    if (group.empty()) group.assign(candidates.begin(), candidates.begin() + model_channels);
    groups.push_back(group);
  }
  if (model_channels > 0 && groups.empty()) {
    throw InputError(info.path.string() + ": nothing for the model to upscale" + nearest_note() +
                     "; upscale the raster with a classical filter (e.g. --model builtin:bicubic-x2, which takes "
                     "categorical bands nearest) or choose other bands with --bands");
  }

  std::vector<bool> in_model(chosen.size(), false);
  for (const auto& group : groups) {
    for (int position : group) in_model[static_cast<std::size_t>(position)] = true;
  }
  // Dropped bands leave the output; positions of the rest are renumbered.
  std::vector<int> renumber(chosen.size(), -1);
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    if (!in_model[i] && policy == OtherBands::drop && model_channels > 0) {
      plan.dropped.push_back(chosen[i]);
      continue;
    }
    renumber[i] = static_cast<int>(plan.bands.size());
    plan.bands.push_back(chosen[i]);
    if (nearest[i]) {
      plan.nearest.push_back(renumber[i]);
    } else if (!in_model[i]) {
      plan.classical.push_back(renumber[i]);
    }
  }
  for (auto& group : groups) {
    for (int& position : group) position = renumber[static_cast<std::size_t>(position)];
  }
  plan.model_groups = std::move(groups);
  return plan;
}

std::string format_band_groups(const std::vector<std::vector<int>>& groups) {
  std::string text;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    if (g) text += ';';
    for (std::size_t i = 0; i < groups[g].size(); ++i) text += (i ? "," : "") + std::to_string(groups[g][i]);
  }
  return text;
}

std::vector<std::vector<int>> parse_band_groups(const std::string& text) {
  std::vector<std::vector<int>> groups;
  std::stringstream stream(text);
  std::string group_text;
  while (std::getline(stream, group_text, ';')) {
    std::vector<int> group;
    std::stringstream items(group_text);
    std::string item;
    while (std::getline(items, item, ',')) {
      if (!item.empty()) group.push_back(std::stoi(item));
    }
    if (!group.empty()) groups.push_back(group);
  }
  return groups;
}

}  // namespace r4k::decode
