#include "tests/support/raster_fixtures.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <cstdio>
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
    if (!spec.colours.empty()) {
      band->SetColorInterpretation(GDALGetColorInterpretationByName(spec.colours[static_cast<std::size_t>(b - 1)].c_str()));
    } else if (spec.bands == 3) {
      band->SetColorInterpretation(static_cast<GDALColorInterp>(GCI_RedBand + b - 1));
    }
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
  if (!spec.mask_rects.empty()) {
    CPLSetThreadLocalConfigOption("GDAL_TIFF_INTERNAL_MASK", "YES");
    const bool made = dataset->CreateMaskBand(GMF_PER_DATASET) == CE_None;
    CPLSetThreadLocalConfigOption("GDAL_TIFF_INTERNAL_MASK", nullptr);
    if (!made) throw std::runtime_error("cannot create the mask of " + path.string());
    GDALRasterBand* mask = dataset->GetRasterBand(1)->GetMaskBand();
    std::vector<unsigned char> mask_row(static_cast<std::size_t>(spec.width));
    for (int y = 0; y < spec.height; ++y) {
      for (int x = 0; x < spec.width; ++x) {
        bool masked = false;
        for (const auto& rect : spec.mask_rects) {
          masked = masked || (x >= rect[0] && x < rect[0] + rect[2] && y >= rect[1] && y < rect[1] + rect[3]);
        }
        mask_row[static_cast<std::size_t>(x)] = masked ? 0 : 255;
      }
      if (mask->RasterIO(GF_Write, 0, y, spec.width, 1, mask_row.data(), spec.width, 1, GDT_Byte, 0, 0, nullptr) !=
          CE_None) {
        throw std::runtime_error("cannot write the mask of " + path.string());
      }
    }
  }
}

void corrupt_block(const std::filesystem::path& path, int band, int bx, int by) {
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
  {
    auto dataset = open(path);
    const std::string item = "_" + std::to_string(bx) + "_" + std::to_string(by);
    const char* offset_text = dataset->GetRasterBand(band)->GetMetadataItem(("BLOCK_OFFSET" + item).c_str(), "TIFF");
    const char* size_text = dataset->GetRasterBand(band)->GetMetadataItem(("BLOCK_SIZE" + item).c_str(), "TIFF");
    if (offset_text == nullptr || size_text == nullptr) throw std::runtime_error("no block" + item + " in " + path.string());
    offset = std::stoull(offset_text);
    size = std::stoull(size_text);
  }
  std::FILE* file = std::fopen(path.c_str(), "r+b");
  if (file == nullptr || std::fseek(file, static_cast<long>(offset), SEEK_SET) != 0) {
    throw std::runtime_error("cannot open " + path.string());
  }
  for (std::uint64_t i = 0; i < size; ++i) std::fputc(static_cast<int>((i * 151 + 7) & 0xff), file);
  std::fclose(file);
}

std::vector<unsigned char> read_mask(const std::filesystem::path& path, int* flags) {
  auto dataset = open(path);
  const int w = dataset->GetRasterXSize();
  const int h = dataset->GetRasterYSize();
  GDALRasterBand* band = dataset->GetRasterBand(1);
  if (flags != nullptr) *flags = band->GetMaskFlags();
  std::vector<unsigned char> values(static_cast<std::size_t>(w) * static_cast<std::size_t>(h));
  if (band->GetMaskBand()->RasterIO(GF_Read, 0, 0, w, h, values.data(), w, h, GDT_Byte, 0, 0, nullptr) != CE_None) {
    throw std::runtime_error("cannot read the mask of " + path.string());
  }
  return values;
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
