#include "encode/raster_writer.hpp"

#include "config/settings.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fcntl.h>
#include <limits>
#include <random>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

#include <cpl_string.h>
#include <gdal_priv.h>
#include <ogr_spatialref.h>
#include <vrtdataset.h>

#include "encode/partial_file.hpp"
#include "core/error.hpp"

namespace r4k::encode {

// The rasters read (datasets, their types) are decode's.
using namespace decode;

namespace {

std::string gdal_error() {
  const char* message = CPLGetLastErrorMsg();
  return message != nullptr && *message != '\0' ? std::string(message) : std::string("unknown GDAL error");
}

std::filesystem::path hidden_sibling(const std::filesystem::path& output, const std::string& suffix) {
  return output.parent_path() / ("." + output.filename().string() + suffix);
}

// A valid pixel must not come out equal to the nodata value, or it would
// vanish: nudge it by one step of the type.
template <typename T>
T to_sample(double value, const std::optional<double>& nodata) {
  if constexpr (std::is_integral_v<T>) {
    const double low = static_cast<double>(std::numeric_limits<T>::lowest());
    const double high = static_cast<double>(std::numeric_limits<T>::max());
    double rounded = std::clamp(std::nearbyint(value), low, high);
    if (nodata && rounded == *nodata) rounded = rounded < high ? rounded + 1 : rounded - 1;
    return static_cast<T>(rounded);
  } else {
    T sample = static_cast<T>(value);
    if (nodata && static_cast<double>(sample) == *nodata) sample = std::nextafter(sample, std::numeric_limits<T>::max());
    return sample;
  }
}

// A valid value, rounded and clamped to the type (and off the nodata
// value); a pixel without one as it came (its nodata value, NaN, ...).
template <typename T>
void convert_row(const double* values, const std::uint8_t* valid, int count, const std::optional<double>& nodata,
                 unsigned char* out) {
  T* samples = reinterpret_cast<T*>(out);
  for (int i = 0; i < count; ++i) {
    if (valid[i] != 0) {
      samples[i] = to_sample<T>(values[i], nodata);
    } else if constexpr (std::is_integral_v<T>) {
      const double raw = std::isfinite(values[i]) ? values[i] : nodata.value_or(0.0);
      samples[i] = static_cast<T>(std::clamp(std::nearbyint(raw), static_cast<double>(std::numeric_limits<T>::lowest()),
                                             static_cast<double>(std::numeric_limits<T>::max())));
    } else {
      samples[i] = static_cast<T>(values[i]);
    }
  }
}

using RowConverter = void (*)(const double*, const std::uint8_t*, int, const std::optional<double>&, unsigned char*);

RowConverter converter_for(const std::string& type) {
  if (type == "Byte") return convert_row<std::uint8_t>;
  if (type == "Int8") return convert_row<std::int8_t>;  // stored as Byte, marked SIGNEDBYTE
  if (type == "UInt16") return convert_row<std::uint16_t>;
  if (type == "Int16") return convert_row<std::int16_t>;
  if (type == "UInt32") return convert_row<std::uint32_t>;
  if (type == "Int32") return convert_row<std::int32_t>;
  if (type == "Float32") return convert_row<float>;
  if (type == "Float64") return convert_row<double>;
  throw InputError("cannot write data type " + type);
}

// GDAL's type for a data type name (Int8 is Byte in GDAL 3.6).
GDALDataType storage_type(const std::string& type) {
  return type == "Int8" ? GDT_Byte : GDALGetDataTypeByName(type.c_str());
}

int progress_callback(double, const char*, void* data) {
  const auto* cancel = static_cast<const std::atomic<bool>*>(data);
  return cancel == nullptr || !cancel->load() ? TRUE : FALSE;
}

// Metadata domains that describe the source file's encoding or its pixel
// grid in ways that no longer hold after upscaling.
bool copy_domain(const std::string& domain) {
  return domain != "IMAGE_STRUCTURE" && domain != "DERIVED_SUBDATASETS" && domain != "SUBDATASETS" &&
         domain != "RPC" && domain != "GEOLOCATION" && domain.rfind("xml:", 0) != 0;
}

// Every metadata domain of `from` but the default one (set apart) and those
// copy_domain leaves out, onto `to`.
template <typename Object>
void copy_other_domains(Object& from, Object& to) {
  char** domains = from.GetMetadataDomainList();
  for (char** domain = domains; domain != nullptr && *domain != nullptr; ++domain) {
    if (**domain != '\0' && copy_domain(*domain)) to.SetMetadata(from.GetMetadata(*domain), *domain);
  }
  CSLDestroy(domains);
}

std::string rpc_number(double value) {
  char text[64];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

// Rational polynomial coefficients for the upscaled image: image coordinates
// (line, sample; 0 at the first pixel's centre) become scale * (c + 0.5) -
// 0.5, so the offsets move and the scales grow; the ground side is the same.
void copy_rpcs(GDALDataset& source, GDALDataset& target, int scale) {
  char** rpc = source.GetMetadata("RPC");
  if (rpc == nullptr) return;
  CPLStringList scaled(CSLDuplicate(rpc));
  for (const char* offset : {"LINE_OFF", "SAMP_OFF"}) {
    if (const char* value = scaled.FetchNameValue(offset)) {
      scaled.SetNameValue(offset, rpc_number(scale * (CPLAtof(value) + 0.5) - 0.5).c_str());
    }
  }
  for (const char* factor : {"LINE_SCALE", "SAMP_SCALE"}) {
    if (const char* value = scaled.FetchNameValue(factor)) {
      scaled.SetNameValue(factor, rpc_number(scale * CPLAtof(value)).c_str());
    }
  }
  target.SetMetadata(scaled.List(), "RPC");
}

void copy_georeference(GDALDataset& source, GDALDataset& target, const RasterGrid& grid) {
  const double s = grid.scale;
  double transform[6];
  if (source.GetGeoTransform(transform) == CE_None) {
    // Same corner origin; pixels `scale` times smaller.
    const double scaled[6] = {transform[0], transform[1] / s, transform[2] / s,
                              transform[3], transform[4] / s, transform[5] / s};
    target.SetGeoTransform(const_cast<double*>(scaled));
  }
  if (const OGRSpatialReference* srs = source.GetSpatialRef(); srs != nullptr) target.SetSpatialRef(srs);
  if (source.GetGCPCount() > 0) {
    std::vector<GDAL_GCP> gcps(source.GetGCPs(), source.GetGCPs() + source.GetGCPCount());
    for (GDAL_GCP& gcp : gcps) {
      gcp.dfGCPPixel *= s;
      gcp.dfGCPLine *= s;
    }
    target.SetGCPs(static_cast<int>(gcps.size()), gcps.data(), source.GetGCPSpatialRef());
  }
  char** domains = source.GetMetadataDomainList();
  for (char** domain = domains; domain != nullptr && *domain != nullptr; ++domain) {
    if (copy_domain(*domain)) target.SetMetadata(source.GetMetadata(*domain), *domain);
  }
  CSLDestroy(domains);
  for (std::size_t k = 0; k < grid.source_bands.size(); ++k) {
    GDALRasterBand* from = source.GetRasterBand(grid.source_bands[k]);
    GDALRasterBand* to = target.GetRasterBand(static_cast<int>(k) + 1);
    to->SetDescription(from->GetDescription());
    to->SetColorInterpretation(from->GetColorInterpretation());
    int has = 0;
    const double nodata = from->GetNoDataValue(&has);
    if (has) to->SetNoDataValue(nodata);
    int has_offset = 0;
    int has_scale = 0;
    const double offset = from->GetOffset(&has_offset);
    const double band_scale = from->GetScale(&has_scale);
    if (has_offset) to->SetOffset(offset);
    if (has_scale) to->SetScale(band_scale);
    if (const char* unit = from->GetUnitType(); unit != nullptr && *unit != '\0') to->SetUnitType(unit);
    if (char** band_metadata = from->GetMetadata(""); band_metadata != nullptr) to->SetMetadata(band_metadata);
    copy_other_domains(*from, *to);
    // Classes keep their colours, names and attributes.
    if (GDALColorTable* table = from->GetColorTable()) to->SetColorTable(table);
    if (char** names = from->GetCategoryNames(); names != nullptr) to->SetCategoryNames(names);
    if (const GDALRasterAttributeTable* table = from->GetDefaultRAT()) to->SetDefaultRAT(table);
    if (grid.data_type == "Int8") to->SetMetadataItem("PIXELTYPE", "SIGNEDBYTE", "IMAGE_STRUCTURE");
  }
  copy_rpcs(source, target, grid.scale);
}

}  // namespace

RasterFormat parse_raster_format(const std::string& text) {
  const auto index = settings::choice_index("raster.format", text);
  if (!index) throw InputError("raster.format: " + settings::check(*settings::find("raster.format"), text).message);
  return static_cast<RasterFormat>(*index);
}

std::string to_string(RasterFormat format) { return settings::choice_name("raster.format", static_cast<int>(format)); }

std::string parse_raster_compression(const std::string& text) {
  if (!settings::choice_index("raster.compress", text)) {
    throw InputError("raster.compress: " + settings::check(*settings::find("raster.compress"), text).message);
  }
  return text;
}

std::filesystem::path partial_raster_path(const std::filesystem::path& output) {
  return hidden_sibling(output, ".r4k-partial.raw");
}

std::filesystem::path tile_journal_path(const std::filesystem::path& output) {
  return hidden_sibling(output, ".r4k-journal");
}

std::uintmax_t intermediate_size(int width, int height, int bands, const std::string& data_type, bool dataset_mask) {
  const auto plane = static_cast<std::uintmax_t>(width) * static_cast<std::uintmax_t>(height);
  return plane * static_cast<std::uintmax_t>(bands) * static_cast<std::uintmax_t>(data_type_size(data_type)) +
         (dataset_mask ? plane : 0);
}

std::string intermediate_problem(const std::filesystem::path& output, std::uintmax_t expected_size) {
  const std::filesystem::path path = partial_raster_path(output);
  std::error_code ec;
  const std::uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) return path.string() + ": missing (" + ec.message() + ")";
  if (size < expected_size) {
    return path.string() + ": " + std::to_string(size) + " bytes, " + std::to_string(expected_size) + " expected";
  }
  return "";
}

namespace {

constexpr std::string_view kTrailerMagic = "restore4k shared intermediate ";
constexpr std::size_t kInstanceDigits = 32;

// `bytes` random bytes as lowercase hex (the kernel's random source).
std::string random_hex(int bytes) {
  std::random_device source;
  std::string text;
  for (int i = 0; i < bytes; ++i) {
    const unsigned value = source() & 0xFFu;
    text += "0123456789abcdef"[value >> 4];
    text += "0123456789abcdef"[value & 0xFu];
  }
  return text;
}

std::string trailer_of(const std::string& instance) {
  std::string trailer = std::string(kTrailerMagic) + instance;
  trailer.resize(kSharedTrailerBytes - 1, ' ');
  return trailer + "\n";
}

struct FileDescriptor {
  int fd = -1;
  ~FileDescriptor() {
    if (fd >= 0) ::close(fd);
  }
};

// The instance an open shared intermediate names; InputError when the file
// is not one for `pixel_bytes` of pixels.
std::string read_instance(int fd, std::uintmax_t pixel_bytes, const std::filesystem::path& path) {
  struct stat status {};
  if (::fstat(fd, &status) != 0) throw Error(path.string() + ": cannot read: " + std::strerror(errno));
  const std::uintmax_t expected = pixel_bytes + kSharedTrailerBytes;
  const std::string foreign =
      ": it is not this job's shared intermediate file (another job's, or a single run's): if no task is making it, "
      "remove it and the output's journals";
  if (static_cast<std::uintmax_t>(status.st_size) != expected) {
    throw InputError(path.string() + ": " + std::to_string(status.st_size) + " bytes, the shared intermediate of this "
                     "job has " + std::to_string(expected) + foreign);
  }
  std::string trailer(kSharedTrailerBytes, '\0');
  std::size_t got = 0;
  while (got < trailer.size()) {
    const ssize_t n = ::pread(fd, trailer.data() + got, trailer.size() - got, static_cast<off_t>(pixel_bytes + got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw Error(path.string() + ": cannot read its trailer: " + (n < 0 ? std::strerror(errno) : "short"));
    got += static_cast<std::size_t>(n);
  }
  const std::string instance = trailer.substr(kTrailerMagic.size(), kInstanceDigits);
  if (trailer.compare(0, kTrailerMagic.size(), kTrailerMagic) != 0 || trailer != trailer_of(instance) ||
      instance.find_first_not_of("0123456789abcdef") != std::string::npos) {
    throw InputError(path.string() + ": its last " + std::to_string(kSharedTrailerBytes) +
                     " bytes are not a restore4k trailer" + foreign);
  }
  return instance;
}

void sync_folder(const std::filesystem::path& file) {
  const std::filesystem::path folder = file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
  FileDescriptor directory{::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (directory.fd >= 0) ::fsync(directory.fd);  // the new name is durable (best effort)
}

}  // namespace

std::string shared_intermediate_instance(const std::filesystem::path& output, std::uintmax_t pixel_bytes) {
  const std::filesystem::path path = partial_raster_path(output);
  FileDescriptor file{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (file.fd < 0) {
    if (errno == ENOENT) return "";
    throw Error(path.string() + ": cannot open: " + std::strerror(errno));
  }
  return read_instance(file.fd, pixel_bytes, path);
}

std::string open_shared_intermediate(const std::filesystem::path& output, std::uintmax_t pixel_bytes) {
  const std::filesystem::path path = partial_raster_path(output);
  // A file that appears and is removed again between the steps sends us
  // round once more; a few rounds are plenty.
  for (int round = 0; round < 4; ++round) {
    if (std::string instance = shared_intermediate_instance(output, pixel_bytes); !instance.empty()) return instance;
    // Made whole under this process's own name (a leftover of a killed task
    // is removed with the other partial files of the output), then linked.
    const std::filesystem::path temporary = partial_path(output, "." + random_hex(8) + ".raw");
    const std::string instance = random_hex(static_cast<int>(kInstanceDigits / 2));
    {
      FileDescriptor made{::open(temporary.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644)};
      if (made.fd < 0) {
        throw Error(output.string() + ": cannot write next to the output (" + temporary.string() +
                    "): " + std::strerror(errno));
      }
      const std::string trailer = trailer_of(instance);
      bool ok = ::ftruncate(made.fd, static_cast<off_t>(pixel_bytes + kSharedTrailerBytes)) == 0;  // sparse
      ok = ok && ::pwrite(made.fd, trailer.data(), trailer.size(), static_cast<off_t>(pixel_bytes)) ==
                     static_cast<ssize_t>(trailer.size());
      ok = ok && ::fsync(made.fd) == 0;
      if (!ok) {
        const int error = errno;
        ::unlink(temporary.c_str());
        throw Error(temporary.string() + ": cannot make the shared intermediate file: " + std::strerror(error));
      }
    }
    const int linked = ::link(temporary.c_str(), path.c_str());
    const int link_error = errno;
    // Over NFS a link whose reply was lost is retried and reads EEXIST: the
    // link count of our own name says whether it was made.
    struct stat status {};
    const bool made_it = linked == 0 || (::stat(temporary.c_str(), &status) == 0 && status.st_nlink == 2);
    ::unlink(temporary.c_str());
    if (made_it) {
      sync_folder(path);
      return instance;
    }
    if (link_error != EEXIST) {
      throw Error(path.string() + ": cannot make the shared intermediate file: " + std::strerror(link_error));
    }
    // Another task was first: its file is the one.
  }
  throw Error(path.string() + ": the shared intermediate file keeps appearing and vanishing (is another task "
              "removing it?)");
}

RasterWriter::RasterWriter(RasterOutputOptions options, RasterGrid grid, bool keep_existing)
    : options_(std::move(options)), grid_(std::move(grid)), raw_path_(partial_raster_path(options_.output)) {
  initialise_gdal();
  sample_size_ = data_type_size(grid_.data_type);
  converter_for(grid_.data_type);  // refuses unknown types before any file is made
  {
    RasterDataset source(grid_.source);
    for (int band : grid_.source_bands) nodata_.push_back(source.info().bands[static_cast<std::size_t>(band - 1)].nodata);
  }
  const auto size = static_cast<off_t>(intermediate_size(grid_.width, grid_.height,
                                                         static_cast<int>(grid_.source_bands.size()),
                                                         grid_.data_type, grid_.dataset_mask));
  if (options_.shared_intermediate) {
    // Other tasks write it too: opened as it is (open_shared_intermediate
    // made it), checked, never cut or sized.
    fd_ = ::open(raw_path_.c_str(), O_RDWR | O_CLOEXEC);
    if (fd_ < 0) {
      throw Error(options_.output.string() + ": cannot open the shared intermediate file " + raw_path_.string() +
                  ": " + std::strerror(errno));
    }
    try {
      read_instance(fd_, static_cast<std::uintmax_t>(size), raw_path_);
    } catch (...) {
      ::close(fd_);
      fd_ = -1;
      throw;
    }
    return;
  }
  fd_ = ::open(raw_path_.c_str(), O_RDWR | O_CREAT | (keep_existing ? 0 : O_TRUNC) | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    throw Error(options_.output.string() + ": cannot write next to the output (" + raw_path_.string() +
                "): " + std::strerror(errno));
  }
  // Sparse: the space is taken as tiles arrive.
  if (::ftruncate(fd_, size) != 0) {
    const int error = errno;
    ::close(fd_);
    fd_ = -1;
    throw Error(raw_path_.string() + ": cannot size the intermediate file: " + std::strerror(error));
  }
}

RasterWriter::~RasterWriter() {
  if (fd_ >= 0) ::close(fd_);
}

void RasterWriter::write(const TileMeta& meta, const RasterTilePlanes& planes) {
  const Rect core = meta.core_in_window();
  const auto bands = grid_.source_bands.size();
  const RowConverter convert = converter_for(grid_.data_type);
  row_.resize(static_cast<std::size_t>(core.width) * sample_size_);
  if (meta.core.right() > grid_.width || meta.core.bottom() > grid_.height) {
    throw Error("tile " + std::to_string(meta.index) + " lies outside the output grid");
  }
  if (planes.shape().bands != static_cast<int>(bands) || planes.shape().width != meta.window.width ||
      planes.shape().height != meta.window.height || planes.shape().dataset_mask != grid_.dataset_mask) {
    throw Error("tile " + std::to_string(meta.index) + " does not have the output's bands and planes");
  }
  for (std::size_t band = 0; band < bands; ++band) {
    for (int y = 0; y < core.height; ++y) {
      const std::size_t offset = static_cast<std::size_t>(core.y + y) * meta.window.width + core.x;
      convert(planes.values(static_cast<int>(band)) + offset, planes.valid(static_cast<int>(band)) + offset,
              core.width, nodata_[band], row_.data());
      const off_t position =
          ((static_cast<off_t>(band) * grid_.height + meta.core.y + y) * grid_.width + meta.core.x) * sample_size_;
      write_row(row_.data(), row_.size(), position, meta.index);
    }
  }
  if (!grid_.dataset_mask) return;
  // The mask band, after the bands: 255 valid, 0 not.
  const off_t mask_start = static_cast<off_t>(bands) * grid_.height * grid_.width * sample_size_;
  for (int y = 0; y < core.height; ++y) {
    const std::uint8_t* mask_row = planes.mask() + static_cast<std::size_t>(core.y + y) * meta.window.width + core.x;
    const off_t position = mask_start + static_cast<off_t>(meta.core.y + y) * grid_.width + meta.core.x;
    write_row(mask_row, static_cast<std::size_t>(core.width), position, meta.index);
  }
}

void RasterWriter::write_row(const unsigned char* data, std::size_t bytes, off_t position, int tile) {
  std::size_t written = 0;
  while (written < bytes) {
    const ssize_t n = ::pwrite(fd_, data + written, bytes - written, position + static_cast<off_t>(written));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error(raw_path_.string() + ": cannot write tile " + std::to_string(tile) + ": " + std::strerror(errno));
    }
    written += static_cast<std::size_t>(n);
  }
}

void RasterWriter::sync() {
  if (::fdatasync(fd_) != 0) throw Error(raw_path_.string() + ": cannot sync: " + std::strerror(errno));
}

void RasterWriter::finish(const std::atomic<bool>* cancel) {
  sync();
  const GDALDataType type = storage_type(grid_.data_type);
  GDALDriver* vrt_driver = GetGDALDriverManager()->GetDriverByName("VRT");
  GDALDriver* driver =
      GetGDALDriverManager()->GetDriverByName(options_.format == RasterFormat::cog ? "COG" : "GTiff");
  if (vrt_driver == nullptr || driver == nullptr) throw Error("GDAL lacks the VRT, GTiff or COG driver");
  std::unique_ptr<GDALDataset, void (*)(GDALDataset*)> vrt(
      vrt_driver->Create("", grid_.width, grid_.height, 0, type, nullptr), [](GDALDataset* d) { GDALClose(d); });
  if (!vrt) throw Error("cannot describe the intermediate file to GDAL: " + gdal_error());
  const auto plane_bytes = static_cast<long long>(grid_.width) * grid_.height * sample_size_;
  for (std::size_t band = 0; band < grid_.source_bands.size(); ++band) {
    CPLStringList options;
    options.SetNameValue("subClass", "VRTRawRasterBand");
    options.SetNameValue("SourceFilename", raw_path_.c_str());
    options.SetNameValue("ImageOffset", std::to_string(static_cast<long long>(band) * plane_bytes).c_str());
    options.SetNameValue("PixelOffset", std::to_string(sample_size_).c_str());
    options.SetNameValue("LineOffset", std::to_string(static_cast<long long>(grid_.width) * sample_size_).c_str());
    options.SetNameValue("ByteOrder", "LSB");
    if (vrt->AddBand(type, options.List()) != CE_None) {
      throw Error("cannot describe the intermediate file to GDAL: " + gdal_error());
    }
  }
  if (grid_.dataset_mask) {
    auto* dataset = static_cast<VRTDataset*>(vrt.get());
    auto* mask = new VRTRawRasterBand(dataset, 0, GDT_Byte);
    mask->SetRawLink(raw_path_.c_str(), nullptr, FALSE,
                     static_cast<vsi_l_offset>(plane_bytes) * grid_.source_bands.size(), 1, grid_.width, "LSB");
    dataset->SetMaskBand(mask);  // the dataset owns it
  }
  {
    RasterDataset source(grid_.source);
    copy_georeference(source.gdal(), *vrt, grid_);
  }
  for (const auto& [key, value] : options_.metadata) vrt->SetMetadataItem(key.c_str(), value.c_str());

  CPLStringList create;
  const std::string threads = options_.threads > 0 ? std::to_string(options_.threads) : "ALL_CPUS";
  const bool is_float = grid_.data_type.rfind("Float", 0) == 0;
  create.SetNameValue("BIGTIFF", "IF_SAFER");
  create.SetNameValue("NUM_THREADS", threads.c_str());
  create.SetNameValue("COMPRESS", options_.compress == "none" ? "NONE" : CPLString(options_.compress).toupper().c_str());
  if (options_.format == RasterFormat::cog) {
    create.SetNameValue("BLOCKSIZE", "512");
    if (options_.compress != "none") create.SetNameValue("PREDICTOR", "YES");
  } else {
    create.SetNameValue("TILED", "YES");
    create.SetNameValue("BLOCKXSIZE", "512");
    create.SetNameValue("BLOCKYSIZE", "512");
    if (options_.compress != "none") create.SetNameValue("PREDICTOR", is_float ? "3" : "2");
    if (grid_.data_type == "Int8") create.SetNameValue("PIXELTYPE", "SIGNEDBYTE");
  }
  // Finished files an earlier, killed run was making: the work is redone.
  remove_stale_partials(options_.output);
  const std::filesystem::path temporary = partial_path(options_.output, ".tif");
  CPLErrorReset();
  // A mask band goes into the TIFF itself, not a side file.
  CPLSetThreadLocalConfigOption("GDAL_TIFF_INTERNAL_MASK", "YES");
  GDALDataset* made = driver->CreateCopy(temporary.c_str(), vrt.get(), FALSE, create.List(), progress_callback,
                                         const_cast<std::atomic<bool>*>(cancel));
  const bool cancelled = cancel != nullptr && cancel->load();
  bool failed = made == nullptr || CPLGetLastErrorType() >= CE_Failure;
  std::string error = gdal_error();
  if (made != nullptr && options_.format == RasterFormat::gtiff) {
    // GTiff's CreateCopy keeps only the default metadata domain of a
    // non-GeoTIFF source: the source's other domains go in now. (A COG cannot
    // be edited after it is made without breaking its layout.)
    try {
      RasterDataset source(grid_.source);
      copy_other_domains(source.gdal(), *made);
      for (std::size_t k = 0; k < grid_.source_bands.size(); ++k) {
        copy_other_domains(*source.gdal().GetRasterBand(grid_.source_bands[k]),
                           *made->GetRasterBand(static_cast<int>(k) + 1));
      }
    } catch (const std::exception& problem) {
      failed = true;
      error = problem.what();
    }
  }
  if (made != nullptr) {
    // Category names: CreateCopy does not take them; they go in the side file
    // (.aux.xml), which leaves a COG's layout as it is.
    for (int k = 1; k <= made->GetRasterCount(); ++k) {
      GDALRasterBand* from = vrt->GetRasterBand(k);
      GDALRasterBand* to = made->GetRasterBand(k);
      if (from->GetCategoryNames() != nullptr && to->GetCategoryNames() == nullptr) {
        to->SetCategoryNames(from->GetCategoryNames());
      }
    }
  }
  if (made != nullptr) {
    CPLErrorReset();
    GDALClose(made);  // writes what is still cached: a full disk shows here
    if (CPLGetLastErrorType() >= CE_Failure) {
      failed = true;
      error = gdal_error();
    }
  }
  CPLSetThreadLocalConfigOption("GDAL_TIFF_INTERNAL_MASK", nullptr);
  vrt.reset();
  std::error_code ec;
  if (failed || cancelled) {
    std::filesystem::remove(temporary, ec);
    std::filesystem::remove(temporary.string() + ".aux.xml", ec);
    if (cancelled) throw Interrupted();
    throw Error(options_.output.string() + ": cannot write the " + to_string(options_.format) + " file: " + error);
  }
  // What the TIFF cannot hold, GDAL keeps in a side file: it moves too.
  const std::filesystem::path side = temporary.string() + ".aux.xml";
  if (std::filesystem::exists(side, ec)) std::filesystem::rename(side, options_.output.string() + ".aux.xml", ec);
  std::filesystem::rename(temporary, options_.output, ec);
  if (ec) {
    std::filesystem::remove(temporary, ec);
    throw Error(options_.output.string() + ": cannot rename the finished file into place: " + ec.message());
  }
  ::close(fd_);
  fd_ = -1;
  std::filesystem::remove(raw_path_, ec);
}

}  // namespace r4k::encode
