// r4k-make-seed-corpus: writes the seed corpus for the ONNX importer fuzzer
// into a folder: small valid models of every family and form the test
// builders produce, and the deliberately malformed ones. Small weights keep
// the seeds a few KB, so the fuzzer spends its time on structure, not on
// megabytes of floats.
#include "tests/support/malformed_models.hpp"
#include "tests/support/sr_model_families.hpp"
#include "tests/support/sr_test_models.hpp"

#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>
#include <string_view>

namespace {

namespace fs = std::filesystem;
using namespace r4k::testing;

void write_valid(const fs::path& dir) {
  using Form = SrvggSpec::PixelShuffleForm;
  // Opsets 11 and 17 are the ends of the exporter range the builders cover:
  // Unsqueeze changes form at 13, so both forms are seeded.
  for (int opset : {11, 17}) {
    const std::string tag = "_op" + std::to_string(opset) + ".onnx";
    for (const auto& [form, name] : {std::pair{Form::depth_to_space, "d2s"},
                                     std::pair{Form::reshape_transpose_static, "static"},
                                     std::pair{Form::shape_driven, "shape"}}) {
      SrvggSpec spec;
      spec.scale = 2;
      spec.features = 4;
      spec.convs = 1;
      spec.opset = opset;
      spec.pixel_shuffle = form;
      if (form == Form::reshape_transpose_static) {
        spec.dynamic_shape = false;
        spec.fixed_height = 8;
        spec.fixed_width = 8;
      }
      write_srvgg(spec, dir / ("srvgg_x2_" + std::string(name) + tag));
    }

    RrdbSpec rrdb;
    rrdb.features = 4;
    rrdb.growth = 2;
    rrdb.opset = opset;
    write_rrdbnet(rrdb, dir / ("rrdbnet_x4" + tag));

    for (int scale : {2, 3, 4}) {
      EdsrSpec edsr;
      edsr.scale = scale;
      edsr.features = 4;
      edsr.blocks = 1;
      edsr.res_scale = scale == 2 ? 0.1f : 1.0f;  // seed both the Mul and the no-Mul residual
      edsr.opset = opset;
      write_edsr(edsr, dir / ("edsr_x" + std::to_string(scale) + tag));
    }

    for (int scale : {2, 3}) {
      FsrcnnSpec fsrcnn;
      fsrcnn.scale = scale;
      fsrcnn.d = 4;
      fsrcnn.s = 2;
      fsrcnn.m = 1;
      fsrcnn.opset = opset;
      write_fsrcnn(fsrcnn, dir / ("fsrcnn_x" + std::to_string(scale) + tag));
    }
  }

  EspcnSpec espcn;
  espcn.scale = 2;
  write_espcn(espcn, dir / "espcn_x2.onnx");
  write_channels_model(2, dir / "channels2_x2.onnx");
  write_channel_swap_model(dir / "channel_swap.onnx");
}

void write_malformed(const fs::path& dir) {
  write_unsupported_op_model(dir / "bad_unsupported_op.onnx");
  write_truncated_model(dir / "bad_truncated.onnx");
  write_wrong_magic(dir / "bad_wrong_magic.onnx");
  write_negative_dims_model(dir / "bad_negative_dims.onnx");
  write_enormous_dims_model(dir / "bad_enormous_dims.onnx");
  write_missing_initializer_model(dir / "bad_missing_initializer.onnx");
  write_cyclic_model(dir / "bad_cyclic.onnx");
  write_shape_mismatch_model(dir / "bad_shape_mismatch.onnx");
  write_inconsistent_prelu_model(dir / "bad_inconsistent_prelu.onnx");
  // QDQ: a valid int8 convolution and each way its parameters can be wrong.
  write_qdq_model(QdqFault::none, dir / "qdq_conv.onnx");
  write_qdq_model(QdqFault::missing_scale, dir / "bad_qdq_missing_scale.onnx");
  write_qdq_model(QdqFault::zero_scale, dir / "bad_qdq_zero_scale.onnx");
  write_qdq_model(QdqFault::wrong_axis, dir / "bad_qdq_wrong_axis.onnx");
  write_qdq_model(QdqFault::zero_point_type, dir / "bad_qdq_zero_point_type.onnx");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 || std::string_view(argv[1]) == "-h" || std::string_view(argv[1]) == "--help") {
    std::fputs("usage: r4k-make-seed-corpus OUT_DIR\n", argc == 2 ? stdout : stderr);
    return argc == 2 ? 0 : 2;
  }
  try {
    const fs::path dir = argv[1];
    fs::create_directories(dir);
    write_valid(dir);
    write_malformed(dir);
    std::size_t count = 0;
    for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir)) ++count;
    std::printf("r4k-make-seed-corpus: %zu files in %s\n", count, dir.string().c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "r4k-make-seed-corpus: %s\n", e.what());
    return 1;
  }
  return 0;
}
