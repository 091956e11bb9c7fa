// restore4k sample-image: a synthetic test chart to try models on.
#include <memory>

#include <spdlog/spdlog.h>

#include "apps/commands.hpp"
#include "encode/image_writer.hpp"
#include "restore_4k/sample_image.hpp"

namespace r4k::app {

Command add_sample_command(CLI::App& app) {
  struct State {
    std::filesystem::path output;
    int width = 480;
    int height = 270;
  };
  auto state = std::make_shared<State>();
  CLI::App* sample = app.add_subcommand("sample-image", "Write a synthetic test chart to try models on");
  sample->add_option("output", state->output, "Output image (.png, .tif, .jpg)")->required();
  sample->add_option("--width", state->width, "Width")->capture_default_str()->check(CLI::Range(16, 8192));
  sample->add_option("--height", state->height, "Height")->capture_default_str()->check(CLI::Range(16, 8192));
  return Command{sample, [state] {
                   encode::check_image_output_path(state->output, {});
                   encode::write_image_atomically(state->output,
                                                   restore::make_sample_image(state->width, state->height));
                   spdlog::info("wrote {} ({}x{})", state->output.string(), state->width, state->height);
                   return kExitOk;
                 }};
}

}  // namespace r4k::app
