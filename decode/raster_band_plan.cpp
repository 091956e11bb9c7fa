#include "decode/raster_band_plan.hpp"

#include <algorithm>
#include <sstream>

#include "preprocess/error.hpp"

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
  if (text == "classical") return OtherBands::classical;
  if (text == "drop") return OtherBands::drop;
  throw InputError("other bands '" + text + "': expected classical (upscale them with the classical filter and keep "
                   "them) or drop (leave them out of the output)");
}

std::string to_string(OtherBands policy) { return policy == OtherBands::drop ? "drop" : "classical"; }

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

RasterBandPlan plan_raster_bands(const RasterInfo& info, const std::string& band_text, int model_channels,
                                 OtherBands policy) {
  const int band_count = static_cast<int>(info.bands.size());
  RasterBandPlan plan;
  std::vector<int> chosen = parse_band_list(band_text, band_count, 0, info.path);
  std::vector<int> positions(chosen.size());
  for (std::size_t i = 0; i < positions.size(); ++i) positions[i] = static_cast<int>(i);

  std::vector<std::vector<int>> groups;
  if (model_channels <= 0) {
    groups.push_back(positions);  // a classical filter takes any number of bands at once
  } else if (model_channels == 1) {
    for (int position : positions) groups.push_back({position});
  } else {
    if (static_cast<int>(chosen.size()) < model_channels) {
      throw InputError(info.path.string() + ": the model takes " + std::to_string(model_channels) +
                       " channels but " + (band_text.empty() ? "the raster has " : "bands '" + band_text + "' are ") +
                       std::to_string(chosen.size()) + " band(s): choose at least " + std::to_string(model_channels) +
                       " with --bands, or use a model for fewer channels");
    }
    std::vector<int> group = model_channels == 3 ? colour_positions(info, chosen) : std::vector<int>{};
    if (group.empty()) group.assign(positions.begin(), positions.begin() + model_channels);
    groups.push_back(group);
  }

  std::vector<bool> in_model(chosen.size(), false);
  for (const auto& group : groups) {
    for (int position : group) in_model[static_cast<std::size_t>(position)] = true;
  }
  // Dropped bands leave the output; positions of the rest are renumbered.
  std::vector<int> renumber(chosen.size(), -1);
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    if (!in_model[i] && policy == OtherBands::drop) {
      plan.dropped.push_back(chosen[i]);
      continue;
    }
    renumber[i] = static_cast<int>(plan.bands.size());
    plan.bands.push_back(chosen[i]);
    if (!in_model[i]) plan.classical.push_back(renumber[i]);
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
