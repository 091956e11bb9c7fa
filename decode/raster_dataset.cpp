#include "decode/raster_dataset.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <mutex>
#include <sstream>

#include <gdal_priv.h>
#include <ogr_spatialref.h>

#include "core/error.hpp"

namespace r4k::decode {
namespace {

constexpr GIntBig kDefaultGdalCacheBytes = 64LL * 1024 * 1024;

void CPL_STDCALL warnings_only(CPLErr level, CPLErrorNum, const char* message) {
  if (level == CE_Warning) std::fprintf(stderr, "restore4k: GDAL warning: %s\n", message);
}

void close_dataset(GDALDataset* dataset) {
  if (dataset != nullptr) GDALClose(dataset);
}

std::string last_gdal_error() {
  const char* message = CPLGetLastErrorMsg();
  return message != nullptr && *message != '\0' ? std::string(message) : std::string("unknown GDAL error");
}

// A name GDAL resolves itself: a virtual file system path or a driver's
// dataset syntax ("GTIFF_DIR:2:scene.tif", "NETCDF:\"f.nc\":sst").
bool gdal_name(const std::string& name) {
  if (name.rfind("/vsi", 0) == 0) return true;
  const auto colon = name.find(':');
  return colon != std::string::npos && colon > 1 && name.find('/') > colon;
}

GDALDataset* open_or_throw(const std::filesystem::path& path) {
  initialise_gdal();
  std::error_code ec;
  const bool file = std::filesystem::exists(path, ec);
  if (!file && !gdal_name(path.string())) throw InputError(path.string() + ": no such file");
  if (file && std::filesystem::is_directory(path, ec)) {
    throw InputError(path.string() + ": is a directory, not a raster");
  }
  CPLErrorReset();
  auto* dataset = static_cast<GDALDataset*>(
      GDALOpenEx(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY, nullptr, nullptr, nullptr));
  if (dataset == nullptr) {
    throw InputError(path.string() + ": not a raster GDAL can read (" +
                     (CPLGetLastErrorType() == CE_None ? std::string(file ? "no GDAL driver recognises it"
                                                                          : "no such file or dataset")
                                                       : last_gdal_error()) +
                     ")");
  }
  if (dataset->GetRasterCount() < 1 || dataset->GetRasterXSize() < 1 || dataset->GetRasterYSize() < 1) {
    GDALClose(dataset);
    throw InputError(path.string() + ": has no raster bands");
  }
  return dataset;
}

RasterInfo describe(GDALDataset& dataset, const std::filesystem::path& path) {
  // GTiff reads its side file (.aux.xml: category names, statistics, ...) on
  // the first metadata request: make it now, before anything is asked of a band.
  dataset.GetMetadata();
  RasterInfo info;
  info.path = path;
  info.width = dataset.GetRasterXSize();
  info.height = dataset.GetRasterYSize();
  GDALRasterBand* first = dataset.GetRasterBand(1);
  const GDALDataType type = first->GetRasterDataType();
  if (GDALDataTypeIsComplex(type) || type == GDT_Unknown) {
    throw InputError(path.string() + ": data type " + GDALGetDataTypeName(type) +
                     " is not supported (real-valued bands only)");
  }
  info.data_type = GDALGetDataTypeName(type);
  if (type == GDT_Byte) {
    const char* pixel_type = first->GetMetadataItem("PIXELTYPE", "IMAGE_STRUCTURE");
    if (pixel_type != nullptr && std::string(pixel_type) == "SIGNEDBYTE") info.data_type = "Int8";
  }
  first->GetBlockSize(&info.block_width, &info.block_height);
  info.has_geotransform = dataset.GetGeoTransform(info.geotransform.data()) == CE_None;
  // Rational polynomial coefficients are a georeference too (of the sensor).
  info.georeferenced = info.has_geotransform || dataset.GetGCPCount() > 0 || dataset.GetMetadata("RPC") != nullptr;
  if (const OGRSpatialReference* srs = dataset.GetSpatialRef(); srs != nullptr) {
    char* wkt = nullptr;
    const char* options[] = {"FORMAT=WKT2_2019", nullptr};
    if (srs->exportToWkt(&wkt, options) == OGRERR_NONE && wkt != nullptr) info.crs_wkt = wkt;
    CPLFree(wkt);
  }
  info.per_dataset_mask = (first->GetMaskFlags() & GMF_PER_DATASET) != 0 &&
                          (first->GetMaskFlags() & (GMF_ALL_VALID | GMF_NODATA)) == 0;
  info.mask_from_alpha = info.per_dataset_mask && (first->GetMaskFlags() & GMF_ALPHA) != 0;
  for (int b = 1; b <= dataset.GetRasterCount(); ++b) {
    GDALRasterBand* band = dataset.GetRasterBand(b);
    if (band->GetRasterDataType() != type) {
      throw InputError(path.string() + ": band " + std::to_string(b) + " is " +
                       GDALGetDataTypeName(band->GetRasterDataType()) + " but band 1 is " + info.data_type +
                       " (bands of one data type only)");
    }
    RasterBandInfo band_info;
    band_info.description = band->GetDescription();
    band_info.colour = GDALGetColorInterpretationName(band->GetColorInterpretation());
    band_info.colour_table = band->GetColorTable() != nullptr;
    int has = 0;
    const double nodata = band->GetNoDataValue(&has);
    if (has) band_info.nodata = nodata;
    band_info.offset = band->GetOffset();
    band_info.scale = band->GetScale();
    band_info.unit = band->GetUnitType();
    info.bands.push_back(band_info);
  }
  return info;
}

}  // namespace

void initialise_gdal() {
  static std::once_flag once;
  std::call_once(once, [] {
    GDALAllRegister();
    // GDAL's errors reach the user inside restore4k's own messages (which
    // name the file and what was being done); printed again they would only
    // repeat. Warnings are kept.
    CPLSetErrorHandler(warnings_only);
    // GDAL's block cache defaults to 5 % of RAM; restore4k's memory should not
    // depend on the machine. GDAL_CACHEMAX in the environment still wins.
    if (CPLGetConfigOption("GDAL_CACHEMAX", nullptr) == nullptr) GDALSetCacheMax64(kDefaultGdalCacheBytes);
  });
}

RasterDataset::RasterDataset(const std::filesystem::path& path) : dataset_(open_or_throw(path), close_dataset) {
  info_ = describe(*dataset_, path);
}

RasterDataset::~RasterDataset() = default;

std::string RasterDataset::metadata_item(const std::string& key) const {
  const char* value = dataset_->GetMetadataItem(key.c_str());
  return value != nullptr ? value : "";
}

std::vector<int> parse_band_list(const std::string& text, int band_count, int default_count,
                                 const std::filesystem::path& path) {
  std::vector<int> bands;
  if (text.empty()) {
    const int count = default_count > 0 ? default_count : band_count;
    if (count > band_count) {
      throw InputError(path.string() + ": has " + std::to_string(band_count) + " band(s) but the model takes " +
                       std::to_string(count) + " channels; choose bands with --bands (e.g. --bands 1" +
                       (band_count > 1 ? ",2" : "") + ") or use a model for " + std::to_string(band_count) +
                       " channel(s)");
    }
    for (int b = 1; b <= count; ++b) bands.push_back(b);
    return bands;
  }
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) {
    char* end = nullptr;
    const long value = std::strtol(item.c_str(), &end, 10);
    if (item.empty() || end != item.c_str() + item.size()) {
      throw InputError("bands '" + text + "': '" + item + "' is not a band number (expected e.g. 4,3,2)");
    }
    if (value < 1 || value > band_count) {
      throw InputError("bands '" + text + "': band " + item + " does not exist in " + path.string() + ", which has " +
                       std::to_string(band_count) + " band(s), numbered from 1");
    }
    bands.push_back(static_cast<int>(value));
  }
  if (bands.empty()) throw InputError("bands '" + text + "': no band given");
  return bands;
}

int data_type_size(const std::string& data_type) {
  if (data_type == "Int8") return 1;
  const GDALDataType type = GDALGetDataTypeByName(data_type.c_str());
  if (type == GDT_Unknown || GDALDataTypeIsComplex(type)) throw InputError("unsupported data type " + data_type);
  return GDALGetDataTypeSizeBytes(type);
}

bool exact_in_float(const std::string& data_type) {
  return data_type != "Int32" && data_type != "UInt32" && data_type != "Float64";
}

std::vector<double> RasterDataset::read_window(int band, int x, int y, int width, int height) {
  std::vector<double> values(static_cast<std::size_t>(width) * static_cast<std::size_t>(height));
  GDALRasterBand* raster_band = dataset_->GetRasterBand(band);
  if (raster_band == nullptr ||
      raster_band->RasterIO(GF_Read, x, y, width, height, values.data(), width, height, GDT_Float64, 0, 0) != CE_None) {
    throw InputError("raster '" + info_.path.string() + "': cannot read band " + std::to_string(band) + " at " +
                     std::to_string(x) + "," + std::to_string(y) + ": " + CPLGetLastErrorMsg());
  }
  return values;
}

}  // namespace r4k::decode
