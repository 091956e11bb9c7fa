// r4k-make-test-model: writes one of the random-weight test networks from
// sr_test_models.hpp to an .onnx file, so scripts and manual runs can use the
// same models the tests build in-process.
#include "tests/support/sr_model_families.hpp"
#include "tests/support/sr_test_models.hpp"

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace {

constexpr int kExitBadArgs = 2;

void print_usage(std::FILE* out) {
  std::fputs(
      "usage: r4k-make-test-model srvgg|espcn|rrdb|unsupported|channels OUT.onnx [options]\n"
      "  --scale N      upscale factor (srvgg, espcn)\n"
      "  --features N   feature channels (srvgg)\n"
      "  --convs N      body convolutions (srvgg)\n"
      "  --channels N   image channels (srvgg, espcn, channels)\n"
      "  --seed N       weight seed (srvgg, espcn)\n"
      "  --fixed HxW    fixed 1xCxHxW input instead of dynamic N,H,W (srvgg)\n"
      "  --growth N     dense growth channels (rrdb; 32 in Real-ESRGAN x4plus)\n"
      "  --blocks N     RRDB blocks (rrdb; 23 in Real-ESRGAN x4plus)\n",
      out);
}

int bad_args(const std::string& why) {
  std::fprintf(stderr, "r4k-make-test-model: %s\n", why.c_str());
  print_usage(stderr);
  return kExitBadArgs;
}

// Whole-string integer parse: "4x" or "" must be rejected, which atoi would not do.
template <typename T>
std::optional<T> parse_number(std::string_view text) {
  T value{};
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc{} || ptr != end) return std::nullopt;
  return value;
}

struct FixedSize {
  int height = 0;
  int width = 0;
};

std::optional<FixedSize> parse_fixed(std::string_view text) {
  const auto x = text.find('x');
  if (x == std::string_view::npos) return std::nullopt;
  const auto h = parse_number<int>(text.substr(0, x));
  const auto w = parse_number<int>(text.substr(x + 1));
  if (!h || !w || *h < 1 || *w < 1) return std::nullopt;
  return FixedSize{*h, *w};
}

struct Options {
  std::optional<int> scale;
  std::optional<int> features;
  std::optional<int> convs;
  std::optional<int> channels;
  std::optional<std::uint32_t> seed;
  std::optional<FixedSize> fixed;
  std::optional<int> growth;
  std::optional<int> blocks;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2) {
    const std::string_view first = argv[1];
    if (first == "-h" || first == "--help") {
      print_usage(stdout);
      return 0;
    }
  }
  if (argc < 3) return bad_args("expected a model kind and an output path");

  const std::string kind = argv[1];
  const std::filesystem::path out_path = argv[2];
  if (kind != "srvgg" && kind != "espcn" && kind != "rrdb" && kind != "unsupported" && kind != "channels") {
    return bad_args("unknown model kind '" + kind + "'");
  }

  Options opt;
  for (int i = 3; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (i + 1 >= argc) return bad_args("missing value for " + std::string(flag));
    const std::string_view value = argv[++i];
    const auto bad_value = [&] {
      return bad_args("bad value '" + std::string(value) + "' for " + std::string(flag));
    };
    // Counts below 1 are rejected here so the writer's checks never see them.
    const auto positive = [&](std::optional<int>& slot) {
      const auto n = parse_number<int>(value);
      if (!n || *n < 1) return false;
      slot = n;
      return true;
    };
    if (flag == "--scale") {
      if (!positive(opt.scale)) return bad_value();
    } else if (flag == "--features") {
      if (!positive(opt.features)) return bad_value();
    } else if (flag == "--convs") {
      const auto n = parse_number<int>(value);  // zero body convs is a valid network
      if (!n || *n < 0) return bad_value();
      opt.convs = n;
    } else if (flag == "--channels") {
      if (!positive(opt.channels)) return bad_value();
    } else if (flag == "--growth") {
      if (!positive(opt.growth)) return bad_value();
    } else if (flag == "--blocks") {
      if (!positive(opt.blocks)) return bad_value();
    } else if (flag == "--seed") {
      const auto n = parse_number<std::uint32_t>(value);
      if (!n) return bad_value();
      opt.seed = n;
    } else if (flag == "--fixed") {
      const auto f = parse_fixed(value);
      if (!f) return bad_value();
      opt.fixed = f;
    } else {
      return bad_args("unknown option " + std::string(flag));
    }
  }

  // Options a kind ignores are errors, so a typo'd invocation does not silently
  // produce a different model than intended.
  const auto reject = [&](bool given, const char* flag) {
    return given ? std::optional<int>(bad_args(std::string(flag) + " does not apply to " + kind))
                 : std::nullopt;
  };

  try {
    if (kind == "srvgg") {
      r4k::testing::SrvggSpec spec;
      if (opt.scale) spec.scale = *opt.scale;
      if (opt.features) spec.features = *opt.features;
      if (opt.convs) spec.convs = *opt.convs;
      if (opt.channels) spec.channels = *opt.channels;
      if (opt.seed) spec.seed = *opt.seed;
      if (opt.fixed) {
        spec.dynamic_shape = false;
        spec.fixed_height = opt.fixed->height;
        spec.fixed_width = opt.fixed->width;
      }
      r4k::testing::write_srvgg(spec, out_path);
    } else if (kind == "espcn") {
      if (auto rc = reject(opt.features.has_value(), "--features")) return *rc;
      if (auto rc = reject(opt.convs.has_value(), "--convs")) return *rc;
      // EspcnSpec carries no input size, so an HxW could not be honoured.
      if (auto rc = reject(opt.fixed.has_value(), "--fixed")) return *rc;
      r4k::testing::EspcnSpec spec;
      if (opt.scale) spec.scale = *opt.scale;
      if (opt.channels) spec.channels = *opt.channels;
      if (opt.seed) spec.seed = *opt.seed;
      r4k::testing::write_espcn(spec, out_path);
    } else if (kind == "rrdb") {
      if (auto rc = reject(opt.convs.has_value(), "--convs")) return *rc;
      if (auto rc = reject(opt.fixed.has_value(), "--fixed")) return *rc;
      r4k::testing::RrdbSpec spec;
      if (opt.features) spec.features = *opt.features;
      if (opt.growth) spec.growth = *opt.growth;
      if (opt.blocks) spec.blocks = *opt.blocks;
      if (opt.channels) spec.channels = *opt.channels;
      if (opt.seed) spec.seed = *opt.seed;
      r4k::testing::write_rrdbnet(spec, out_path);
    } else if (kind == "unsupported") {
      if (opt.scale || opt.features || opt.convs || opt.channels || opt.seed || opt.fixed || opt.growth || opt.blocks) {
        return bad_args("unsupported takes no options");
      }
      r4k::testing::write_unsupported_op_model(out_path);
    } else {  // channels
      if (opt.scale || opt.features || opt.convs || opt.seed || opt.fixed || opt.growth || opt.blocks) {
        return bad_args("channels takes only --channels");
      }
      r4k::testing::write_channels_model(opt.channels.value_or(2), out_path);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "r4k-make-test-model: %s\n", e.what());
    return 1;
  }
  return 0;
}
