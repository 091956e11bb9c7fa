#include "tests/support/raster_fixtures.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>
#include <stdexcept>

#include <cpl_string.h>
#include <gdal_priv.h>
#include <ogr_spatialref.h>

namespace r4k::testing {
namespace {

struct Closer {
  void operator()(GDALDataset* d) const { GDALClose(d); }
};
using DatasetPtr = std::unique_ptr<GDALDataset, Closer>;

DatasetPtr open(const std::filesystem::path& path) {
  GDALAllRegister();
  DatasetPtr dataset(static_cast<GDALDataset*>(GDALOpenEx(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY, nullptr,
                                                          nullptr, nullptr)));
  if (!dataset) throw std::runtime_error("cannot open " + path.string());
  return dataset;
}

}  // namespace

void write_test_raster(const TestRaster& spec, const std::filesystem::path& path) {
  GDALAllRegister();
  GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("GTiff");
  CPLStringList options;
  if (spec.block > 0) {
    options.SetNameValue("TILED", "YES");
    options.SetNameValue("BLOCKXSIZE", std::to_string(spec.block).c_str());
    options.SetNameValue("BLOCKYSIZE", std::to_string(spec.block).c_str());
  }
  options.SetNameValue("COMPRESS", spec.compress.c_str());
  options.SetNameValue("BIGTIFF", "IF_SAFER");
  const GDALDataType type = GDALGetDataTypeByName(spec.data_type.c_str());
  DatasetPtr dataset(driver->Create(path.c_str(), spec.width, spec.height, spec.bands, type, options.List()));
  if (!dataset) throw std::runtime_error("cannot create " + path.string());
  if (spec.georeferenced) {
    double transform[6] = {500000.0, 10.0, 0.0, 6000000.0, 0.0, -10.0};
    dataset->SetGeoTransform(transform);
    OGRSpatialReference srs;
    srs.importFromEPSG(32633);
    dataset->SetSpatialRef(&srs);
  }
  dataset->SetMetadataItem("ACQUISITION", "2026-06-01", "");
  dataset->SetMetadataItem("SENSOR", "test-sensor", "R4K_TEST");
  std::mt19937 random(spec.seed);
  std::uniform_real_distribution<double> noise(-0.05, 0.05);
  std::vector<double> row(static_cast<std::size_t>(spec.width));
  for (int b = 1; b <= spec.bands; ++b) {
    GDALRasterBand* band = dataset->GetRasterBand(b);
    band->SetDescription(("band " + std::to_string(b) + " (test)").c_str());
    if (spec.nodata) band->SetNoDataValue(*spec.nodata);
    band->SetOffset(0.5 * b);
    band->SetScale(0.0001);
    band->SetUnitType("reflectance");
    if (spec.bands == 3) band->SetColorInterpretation(static_cast<GDALColorInterp>(GCI_RedBand + b - 1));
    for (int y = 0; y < spec.height; ++y) {
      for (int x = 0; x < spec.width; ++x) {
        const double smooth = 0.5 + 0.25 * std::sin(0.07 * x + 0.5 * b) * std::cos(0.05 * y - 0.3 * b);
        double value = 100.0 + (spec.max_value - 100.0) * std::clamp(smooth + noise(random), 0.0, 1.0);
        if (spec.nodata && std::round(value) == *spec.nodata) value += 1.0;
        for (const auto& rect : spec.nodata_rects) {
          if (x >= rect[0] && x < rect[0] + rect[2] && y >= rect[1] && y < rect[1] + rect[3]) value = *spec.nodata;
        }
        row[static_cast<std::size_t>(x)] = std::round(value);
      }
      if (band->RasterIO(GF_Write, 0, y, spec.width, 1, row.data(), spec.width, 1, GDT_Float64, 0, 0, nullptr) !=
          CE_None) {
        throw std::runtime_error("cannot write " + path.string());
      }
    }
  }
}

std::vector<double> read_band(const std::filesystem::path& path, int band) {
  auto dataset = open(path);
  const int w = dataset->GetRasterXSize();
  const int h = dataset->GetRasterYSize();
  std::vector<double> values(static_cast<std::size_t>(w) * static_cast<std::size_t>(h));
  if (dataset->GetRasterBand(band)->RasterIO(GF_Read, 0, 0, w, h, values.data(), w, h, GDT_Float64, 0, 0, nullptr) !=
      CE_None) {
    throw std::runtime_error("cannot read " + path.string());
  }
  return values;
}

std::string RasterSummary::metadata(const std::string& key, const std::string& domain) const {
  for (const auto& [name, value] : items) {
    if (name == domain + "/" + key) return value;
  }
  return "";
}

RasterSummary summarise_raster(const std::filesystem::path& path) {
  auto dataset = open(path);
  RasterSummary summary;
  summary.width = dataset->GetRasterXSize();
  summary.height = dataset->GetRasterYSize();
  summary.bands = dataset->GetRasterCount();
  summary.data_type = GDALGetDataTypeName(dataset->GetRasterBand(1)->GetRasterDataType());
  summary.has_geotransform = dataset->GetGeoTransform(summary.geotransform.data()) == CE_None;
  if (const OGRSpatialReference* srs = dataset->GetSpatialRef(); srs != nullptr) {
    char* wkt = nullptr;
    srs->exportToWkt(&wkt);
    summary.crs_wkt = wkt != nullptr ? wkt : "";
    CPLFree(wkt);
  }
  for (int b = 1; b <= summary.bands; ++b) {
    GDALRasterBand* band = dataset->GetRasterBand(b);
    int has = 0;
    const double nodata = band->GetNoDataValue(&has);
    summary.nodata.push_back(has ? std::optional<double>(nodata) : std::nullopt);
    summary.descriptions.emplace_back(band->GetDescription());
    summary.colours.emplace_back(GDALGetColorInterpretationName(band->GetColorInterpretation()));
    summary.offsets.push_back(band->GetOffset());
    summary.scales.push_back(band->GetScale());
    summary.units.emplace_back(band->GetUnitType());
  }
  summary.overviews = dataset->GetRasterBand(1)->GetOverviewCount();
  char** domains = dataset->GetMetadataDomainList();
  for (char** domain = domains; domain != nullptr && *domain != nullptr; ++domain) {
    char** items = dataset->GetMetadata(*domain);
    for (char** item = items; item != nullptr && *item != nullptr; ++item) {
      char* key = nullptr;
      const char* value = CPLParseNameValue(*item, &key);
      if (key != nullptr && value != nullptr) summary.items.emplace_back(std::string(*domain) + "/" + key, value);
      CPLFree(key);
    }
  }
  CSLDestroy(domains);
  const char* layout = dataset->GetMetadataItem("LAYOUT", "IMAGE_STRUCTURE");
  summary.layout = layout != nullptr ? layout : "";
  const char* compression = dataset->GetMetadataItem("COMPRESSION", "IMAGE_STRUCTURE");
  summary.compression = compression != nullptr ? compression : "";
  return summary;
}

}  // namespace r4k::testing
