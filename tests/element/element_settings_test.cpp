// How restore4k's elements take their settings: values they cannot work
// with are refused with an element error whose message names the property
// (or the file) at fault by itself; every writable property says when it may
// change (GST_PARAM_MUTABLE_*), and a change in READY is honoured; the
// pipeline runner shows the message and the element's detail without
// GStreamer's source location.
#include <gst/gst.h>
#include <gtest/gtest.h>

#include "tests/support/launch_line.hpp"

#include <map>
#include <sstream>
#include <string>

#include "pipeline/pipeline_runner.hpp"
#include "core/error.hpp"
#include "tests/support/sr_test_models.hpp"
#include "tests/support/test_paths.hpp"

namespace {

using r4k::testing::TempDir;

class ElementSettings : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { r4k::pipeline::initialise_gstreamer(); }
};

using Outcome = r4k::test::LaunchOutcome;

// Runs `launch` to its end (EOS or the first error).
Outcome run(const std::string& launch) { return r4k::test::run_launch_line(launch); }

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

const std::string kVideo =
    "videotestsrc num-buffers=2 ! video/x-raw,format=I420,width=160,height=120,framerate=25/1 ! ";

// ---- r4krestore

TEST_F(ElementSettings, RestoreRefusesAnUnknownColorimetry) {
  const Outcome outcome = run(kVideo + "r4krestore model=builtin:bicubic-x2 colorimetry=srgb ! fakesink");
  ASSERT_TRUE(outcome.error) << "colorimetry=srgb was accepted";
  // An enum (from the settings table): GStreamer refuses the value by name
  // when the pipeline is made; gst-inspect-1.0 lists keep, bt709, bt2020.
  EXPECT_TRUE(has(outcome.message, "could not set property \"colorimetry\"")) << outcome.message;
  EXPECT_TRUE(has(outcome.message, "\"srgb\"")) << outcome.message;
}

TEST_F(ElementSettings, RestoreRefusesAWidthWithoutAHeight) {
  const Outcome outcome = run(kVideo + "r4krestore model=builtin:bicubic-x2 width=641 height=0 ! fakesink");
  ASSERT_TRUE(outcome.error) << "width=641 height=0 was accepted";
  EXPECT_TRUE(has(outcome.message, "width=641")) << outcome.message;
  EXPECT_TRUE(has(outcome.message, "height=0")) << outcome.message;
}

TEST_F(ElementSettings, RestoreRefusesAFitSmallerThanTheInput) {
  const Outcome outcome = run(kVideo + "r4krestore model=builtin:bicubic-x2 width=100 height=100 ! fakesink");
  ASSERT_TRUE(outcome.error) << "a 100x100 fit of 160x120 was accepted";
  EXPECT_TRUE(has(outcome.message, "100x100")) << outcome.message;
  EXPECT_TRUE(has(outcome.message, "160x120")) << outcome.message;
  // A fit as large as the input or larger is what restoration does.
  EXPECT_FALSE(run(kVideo + "r4krestore model=builtin:bicubic-x2 width=160 height=120 ! fakesink").error);
  EXPECT_FALSE(run(kVideo + "r4krestore model=builtin:bicubic-x2 width=320 height=180 ! fakesink").error);
}

TEST_F(ElementSettings, RestoreRefusalsNameTheProperty) {
  const Outcome mode = run(kVideo + "r4krestore model=builtin:bicubic-x2 fit-mode=stretch width=320 "
                                    "height=240 ! fakesink");
  EXPECT_TRUE(has(mode.message, "could not set property \"fit-mode\"")) << mode.message;
  EXPECT_TRUE(has(mode.message, "\"stretch\"")) << mode.message;
  const Outcome preset = run(kVideo + "r4krestore preset=film-8k ! fakesink");
  EXPECT_TRUE(has(preset.message, "could not set property \"preset\"")) << preset.message;
  EXPECT_TRUE(has(preset.message, "\"film-8k\"")) << preset.message;
}

// ---- the other elements' string properties

// A choice the settings table holds is an enum: GStreamer refuses another
// value by name when the pipeline is made, before any element starts.
bool refused_when_set(const Outcome& outcome, const std::string& property, const std::string& value) {
  return outcome.error && has(outcome.message, "could not set property \"" + property + "\"") &&
         has(outcome.message, "\"" + value + "\"");
}

TEST_F(ElementSettings, FitRefusesAnUnknownModeOrFilter) {
  const Outcome mode = run(kVideo + "r4kfit width=320 height=240 mode=stretch ! fakesink");
  EXPECT_TRUE(refused_when_set(mode, "mode", "stretch")) << mode.message;
  EXPECT_FALSE(run(kVideo + "r4kfit width=320 height=240 mode=crop ! fakesink").error);
  // filter is r4kfit's own enum: refused by name when it is set.
  const Outcome filter = run(kVideo + "r4kfit width=320 height=240 filter=cubic ! fakesink");
  EXPECT_TRUE(has(filter.message, "could not set property \"filter\"")) << filter.message;
  EXPECT_TRUE(has(filter.message, "\"cubic\"")) << filter.message;
}

TEST_F(ElementSettings, SuperresRefusesAnUnknownBackend) {
  const Outcome outcome = run(kVideo + "r4ksuperres model=builtin:bicubic-x2 backend=cuda ! fakesink");
  EXPECT_TRUE(has(outcome.message, "could not set property \"backend\"")) << outcome.message;
  EXPECT_TRUE(has(outcome.message, "\"cuda\"")) << outcome.message;
}

TEST_F(ElementSettings, WidenRefusesAFormatItDoesNotWrite) {
  const Outcome outcome = run(kVideo + "r4kwiden format=I422_12XX ! fakesink");
  EXPECT_TRUE(has(outcome.message, "'I422_12XX' for property format")) << outcome.message;
}

TEST_F(ElementSettings, RasterSourceRefusesUnknownOtherBandsOrRange) {
  const Outcome other = run("r4krastersrc location=/nonexistent/in.tif other-bands=keep ! fakesink");
  EXPECT_TRUE(refused_when_set(other, "other-bands", "keep")) << other.message;
  const Outcome range = run("r4krastersrc location=/nonexistent/in.tif range=0-255 ! fakesink");
  EXPECT_TRUE(has(range.message, "'0-255' for property range")) << range.message;
}

TEST_F(ElementSettings, RasterSinkRefusesAnUnknownFormatOrCompression) {
  TempDir dir;
  const std::string sink = "fakesrc num-buffers=1 ! r4krastersink location=" + (dir / "out.tif").string();
  const Outcome format = run(sink + " format=png");
  EXPECT_TRUE(refused_when_set(format, "format", "png")) << format.message;
  const Outcome compress = run(sink + " compress=jpeg");
  EXPECT_TRUE(refused_when_set(compress, "compress", "jpeg")) << compress.message;
}

// The enum properties read back as the choice that was set (by nick, as
// gst-launch-1.0 and gst_util_set_object_arg set them), and an unknown nick
// leaves the value as it was.
TEST_F(ElementSettings, ChoicePropertiesKeepTheChoiceSet) {
  struct Case {
    const char* element;
    const char* property;
    const char* initial;
    const char* other;
  };
  for (const Case& c : {Case{"r4kfit", "mode", "pad", "crop"}, Case{"r4krastersrc", "other-bands", "classical", "drop"},
                        Case{"r4krastersink", "format", "gtiff", "cog"},
                        Case{"r4krastersink", "compress", "deflate", "zstd"}}) {
    SCOPED_TRACE(std::string(c.element) + " " + c.property);
    GstElement* element = gst_element_factory_make(c.element, nullptr);
    ASSERT_NE(element, nullptr);
    const auto nick = [&] {
      GValue value = G_VALUE_INIT;
      g_value_init(&value, G_PARAM_SPEC_VALUE_TYPE(
                               g_object_class_find_property(G_OBJECT_GET_CLASS(element), c.property)));
      g_object_get_property(G_OBJECT(element), c.property, &value);
      gchar* text = gst_value_serialize(&value);
      const std::string result = text != nullptr ? text : "";
      g_free(text);
      g_value_unset(&value);
      return result;
    };
    EXPECT_EQ(nick(), c.initial);
    gst_util_set_object_arg(G_OBJECT(element), c.property, c.other);
    EXPECT_EQ(nick(), c.other);
    gst_util_set_object_arg(G_OBJECT(element), c.property, "bogus");
    EXPECT_EQ(nick(), c.other) << "an unknown nick changed the value";
    gst_object_unref(gst_object_ref_sink(element));
  }
  // Integer settings are gint properties.
  GstElement* deflicker = gst_element_factory_make("r4kdeflicker", nullptr);
  ASSERT_NE(deflicker, nullptr);
  g_object_set(deflicker, "radius", 7, nullptr);
  gint radius = 0;
  g_object_get(deflicker, "radius", &radius, nullptr);
  EXPECT_EQ(radius, 7);
  gst_object_unref(gst_object_ref_sink(deflicker));
}

TEST_F(ElementSettings, MuxSinkRefusesStreamsOrColourItCannotRead) {
  TempDir dir;
  const std::string sink = "fakesrc num-buffers=1 ! r4kmuxsink location=" + (dir / "out.mkv").string() +
                           " source=" + (dir / "in.mkv").string();
  const Outcome streams = run(sink + " streams=1:mp3");
  EXPECT_TRUE(has(streams.message, "'1:mp3' for property streams")) << streams.message;
  const Outcome colour = run(sink + " colour=1,2");
  EXPECT_TRUE(has(colour.message, "'1,2' for property colour")) << colour.message;
}

// ---- messages that read on their own

TEST_F(ElementSettings, InterlacedInputMessagesSayWhatToDo) {
  const std::string interlaced =
      "videotestsrc num-buffers=2 ! video/x-raw,format=I420,width=64,height=48,interlace-mode=interleaved ! ";
  const Outcome superres = run(interlaced + "r4ksuperres model=builtin:bicubic-x2 ! fakesink");
  EXPECT_TRUE(has(superres.message, "deinterlace")) << superres.message;
  const Outcome denoise = run(interlaced + "r4kdenoise ! fakesink");
  EXPECT_TRUE(has(denoise.message, "r4kdenoise")) << denoise.message;
  EXPECT_TRUE(has(denoise.message, "deinterlace")) << denoise.message;
}

// ---- when properties may change

TEST_F(ElementSettings, EveryWritablePropertySaysWhenItMayChange) {
  for (const char* name : {"r4ksuperres", "r4krastersrc", "r4krastersink", "r4kfit", "r4kcolorconvert", "r4kmuxsink",
                           "r4kwiden", "r4kdeflicker", "r4kdustbust", "r4kdenoise", "r4krestore"}) {
    GstElement* element = gst_element_factory_make(name, nullptr);
    ASSERT_NE(element, nullptr) << name;
    guint count = 0;
    GParamSpec** specs = g_object_class_list_properties(G_OBJECT_GET_CLASS(element), &count);
    int ours = 0;
    for (guint i = 0; i < count; ++i) {
      const GParamSpec* spec = specs[i];
      if (spec->owner_type != G_OBJECT_TYPE(element) || (spec->flags & G_PARAM_WRITABLE) == 0) continue;
      ++ours;
      EXPECT_NE(spec->flags & (GST_PARAM_MUTABLE_READY | GST_PARAM_MUTABLE_PAUSED | GST_PARAM_MUTABLE_PLAYING), 0u)
          << name << "::" << spec->name;
    }
    EXPECT_GT(ours, 0) << name;
    g_free(specs);
    gst_object_unref(gst_object_ref_sink(element));
  }
}

TEST_F(ElementSettings, SuperresLoadsAModelChangedInReady) {
  GstElement* pipeline = gst_pipeline_new(nullptr);
  GstElement* superres = gst_element_factory_make("r4ksuperres", nullptr);
  gst_bin_add(GST_BIN(pipeline), superres);
  g_object_set(superres, "model", "builtin:bicubic-x2", nullptr);
  ASSERT_NE(gst_element_set_state(pipeline, GST_STATE_READY), GST_STATE_CHANGE_FAILURE);
  gint scale = 0;
  g_object_get(superres, "scale", &scale, nullptr);
  EXPECT_EQ(scale, 2);
  g_object_set(superres, "model", "builtin:bicubic-x4", nullptr);
  ASSERT_NE(gst_element_set_state(pipeline, GST_STATE_PAUSED), GST_STATE_CHANGE_FAILURE);
  g_object_get(superres, "scale", &scale, nullptr);
  EXPECT_EQ(scale, 4);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(pipeline);
}

TEST_F(ElementSettings, RestoreRebuildsItsChainForSettingsChangedInReady) {
  GstElement* pipeline = gst_pipeline_new(nullptr);
  GstElement* restore = gst_element_factory_make("r4krestore", nullptr);
  gst_bin_add(GST_BIN(pipeline), restore);
  g_object_set(restore, "model", "builtin:bicubic-x2", "width", 320u, "height", 240u, nullptr);
  ASSERT_NE(gst_element_set_state(pipeline, GST_STATE_READY), GST_STATE_CHANGE_FAILURE);
  g_object_set(restore, "width", 640u, "height", 480u, nullptr);
  ASSERT_NE(gst_element_set_state(pipeline, GST_STATE_PAUSED), GST_STATE_CHANGE_FAILURE);
  GstElement* fit = gst_bin_get_by_name(GST_BIN(restore), "fit");
  ASSERT_NE(fit, nullptr);
  guint width = 0;
  g_object_get(fit, "width", &width, nullptr);
  EXPECT_EQ(width, 640u);
  gst_object_unref(fit);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(pipeline);
}

// The engine settings reach the inner r4ksuperres: autotune off (and threads)
// set on r4krestore are what its upscaler loads the model with.
TEST_F(ElementSettings, RestorePassesAutotuneAndThreadsToItsUpscaler) {
  GstElement* pipeline = gst_pipeline_new(nullptr);
  GstElement* restore = gst_element_factory_make("r4krestore", nullptr);
  gst_bin_add(GST_BIN(pipeline), restore);
  gboolean autotune = FALSE;
  g_object_get(restore, "autotune", &autotune, nullptr);
  EXPECT_TRUE(autotune);  // on unless told
  g_object_set(restore, "model", "builtin:bicubic-x2", "autotune", FALSE, "threads", 3, nullptr);
  ASSERT_NE(gst_element_set_state(pipeline, GST_STATE_READY), GST_STATE_CHANGE_FAILURE);
  GstElement* superres = gst_bin_get_by_name(GST_BIN(restore), "superres");
  ASSERT_NE(superres, nullptr);
  autotune = TRUE;
  gint threads = 0;
  g_object_get(superres, "autotune", &autotune, "threads", &threads, nullptr);
  EXPECT_FALSE(autotune);
  EXPECT_EQ(threads, 3);
  gst_object_unref(superres);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(pipeline);
}

// r4ksuperres reloads its engine when autotune changes in READY, and runs
// with it off.
TEST_F(ElementSettings, SuperresRunsWithAutotuneOffAndChangedInReady) {
  EXPECT_FALSE(run(kVideo + "r4ksuperres model=builtin:bicubic-x2 autotune=false ! fakesink").error);
  GstElement* pipeline = gst_pipeline_new(nullptr);
  GstElement* superres = gst_element_factory_make("r4ksuperres", nullptr);
  gst_bin_add(GST_BIN(pipeline), superres);
  g_object_set(superres, "model", "builtin:bicubic-x2", nullptr);
  ASSERT_NE(gst_element_set_state(pipeline, GST_STATE_READY), GST_STATE_CHANGE_FAILURE);
  g_object_set(superres, "autotune", FALSE, nullptr);
  ASSERT_NE(gst_element_set_state(pipeline, GST_STATE_PAUSED), GST_STATE_CHANGE_FAILURE);
  gboolean autotune = TRUE;
  gint scale = 0;
  g_object_get(superres, "autotune", &autotune, "scale", &scale, nullptr);
  EXPECT_FALSE(autotune);
  EXPECT_EQ(scale, 2);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(pipeline);
}

// ---- AutoTune's pins: the algorithms property

// What a run left in a property of the element `name`: read at the end of
// the stream and again once the pipeline stopped.
struct ReadBack {
  Outcome outcome;
  std::string at_end;
  std::string after_stop;
};

ReadBack run_and_read(const std::string& launch, const char* name, const char* property) {
  ReadBack result;
  GError* parse_error = nullptr;
  GstElement* pipeline = gst_parse_launch(launch.c_str(), &parse_error);
  if (pipeline == nullptr || parse_error != nullptr) {
    result.outcome.error = true;
    result.outcome.message = parse_error != nullptr ? parse_error->message : "parse failed";
    g_clear_error(&parse_error);
    if (pipeline != nullptr) gst_object_unref(pipeline);
    return result;
  }
  GstElement* element = gst_bin_get_by_name(GST_BIN(pipeline), name);
  const auto read = [&]() {
    gchar* value = nullptr;
    g_object_get(element, property, &value, nullptr);
    std::string text = value != nullptr ? value : "";
    g_free(value);
    return text;
  };
  gst_element_set_state(pipeline, GST_STATE_PLAYING);
  GstBus* bus = gst_element_get_bus(pipeline);
  GstMessage* message = gst_bus_timed_pop_filtered(bus, 60 * GST_SECOND,
                                                   static_cast<GstMessageType>(GST_MESSAGE_ERROR | GST_MESSAGE_EOS));
  if (message != nullptr && GST_MESSAGE_TYPE(message) == GST_MESSAGE_ERROR) {
    GError* error = nullptr;
    gchar* debug = nullptr;
    gst_message_parse_error(message, &error, &debug);
    result.outcome.error = true;
    result.outcome.message = error->message;
    result.outcome.debug = debug != nullptr ? debug : "";
    g_clear_error(&error);
    g_free(debug);
  }
  if (message != nullptr) gst_message_unref(message);
  gst_object_unref(bus);
  result.at_end = read();
  gst_element_set_state(pipeline, GST_STATE_NULL);
  result.after_stop = read();
  gst_object_unref(element);
  gst_object_unref(pipeline);
  return result;
}

// "a=x;b=y" -> {a: x, b: y}
std::map<std::string, std::string> pins_of(const std::string& text) {
  std::map<std::string, std::string> pins;
  std::stringstream items(text);
  for (std::string item; std::getline(items, item, ';');) {
    const auto equals = item.rfind('=');
    if (equals != std::string::npos) pins[item.substr(0, equals)] = item.substr(equals + 1);
  }
  return pins;
}

// The same choices with every Winograd layer pinned to the direct
// convolution instead (AutoTune off would give the defaults): an engine that
// ran these took the pins.
std::string all_direct(const std::string& text) {
  std::string pins;
  for (const auto& [entry, algorithm] : pins_of(text)) {
    pins += (pins.empty() ? "" : ";") + entry + "=" + (algorithm.rfind("winograd", 0) == 0 ? "direct" : algorithm);
  }
  return pins;
}

class AlgorithmPins : public ElementSettings {
 protected:
  void SetUp() override {
    r4k::testing::SrvggSpec spec;
    spec.scale = 2;
    spec.features = 16;
    spec.convs = 1;
    r4k::testing::write_srvgg(spec, dir_ / "m.onnx");
    model_ = (dir_ / "m.onnx").string();
  }
  TempDir dir_;
  std::string model_;
};

// Set pins, run, read back the same: the engine ran what was pinned (and
// says so after the element stopped); without pins it reads what it chose.
TEST_F(AlgorithmPins, SuperresRunsThePinsAndReadsBackWhatItRan) {
  const std::string launch = "videotestsrc num-buffers=2 ! video/x-raw,format=RGB,width=32,height=24,framerate=25/1 ! "
                             "r4ksuperres name=sr autotune=false model=" + model_;
  const ReadBack chosen = run_and_read(launch + " ! fakesink", "sr", "algorithms");
  ASSERT_FALSE(chosen.outcome.error) << chosen.outcome.message << " " << chosen.outcome.debug;
  const auto defaults = pins_of(chosen.at_end);
  ASSERT_EQ(defaults.count("conv_1@1x16x24x32"), 1u) << chosen.at_end;  // the frame's shape
  EXPECT_EQ(chosen.after_stop, chosen.at_end);
  const std::string pins = all_direct(chosen.at_end);
  if (pins == chosen.at_end) GTEST_SKIP() << "no layer defaults to Winograd here (no AVX2): nothing to pin against";
  const ReadBack pinned = run_and_read(launch + " algorithms=\"" + pins + "\" ! fakesink", "sr", "algorithms");
  ASSERT_FALSE(pinned.outcome.error) << pinned.outcome.message << " " << pinned.outcome.debug;
  EXPECT_EQ(pinned.at_end, pins);
  EXPECT_EQ(pinned.after_stop, pins);
  // Before any run the property reads the pins as set.
  GstElement* superres = gst_element_factory_make("r4ksuperres", nullptr);
  g_object_set(superres, "algorithms", pins.c_str(), nullptr);
  gchar* value = nullptr;
  g_object_get(superres, "algorithms", &value, nullptr);
  EXPECT_EQ(std::string(value != nullptr ? value : ""), pins);
  g_free(value);
  gst_object_unref(superres);
}

// r4krestore hands its pins to its upscaler and reads back the upscaler's.
TEST_F(AlgorithmPins, RestorePassesThePinsOnAndReadsBackItsUpscalers) {
  const std::string launch = kVideo + "r4krestore name=r autotune=false model=" + model_;
  const ReadBack chosen = run_and_read(launch + " ! fakesink", "r", "algorithms");
  ASSERT_FALSE(chosen.outcome.error) << chosen.outcome.message << " " << chosen.outcome.debug;
  ASSERT_EQ(pins_of(chosen.at_end).count("conv_1@1x16x120x160"), 1u) << chosen.at_end;
  const std::string pins = all_direct(chosen.at_end);
  if (pins == chosen.at_end) GTEST_SKIP() << "no layer defaults to Winograd here (no AVX2): nothing to pin against";
  const ReadBack pinned = run_and_read(launch + " algorithms=\"" + pins + "\" ! fakesink", "r", "algorithms");
  ASSERT_FALSE(pinned.outcome.error) << pinned.outcome.message << " " << pinned.outcome.debug;
  EXPECT_EQ(pinned.at_end, pins);
}

// A pin this machine cannot run is the user's to fix, named by the layer; a
// value that is not LAYER@SHAPE=ALGORITHM items is refused as it starts.
TEST_F(AlgorithmPins, APinNobodyOffersOrAMalformedOneIsRefusedByName) {
  const std::string launch = "videotestsrc num-buffers=1 ! video/x-raw,format=RGB,width=32,height=24,framerate=25/1 ! "
                             "r4ksuperres autotune=false model=" + model_;
  const Outcome impossible = run(launch + " algorithms=conv_1@1x16x24x32=winograd-f9-b1 ! fakesink");
  ASSERT_TRUE(impossible.error);
  EXPECT_TRUE(has(impossible.message, "Property algorithms pins what this machine cannot run")) << impossible.message;
  EXPECT_TRUE(has(impossible.message, "layer conv_1@1x16x24x32 to algorithm 'winograd-f9-b1'")) << impossible.message;
  // The same pin at a shape this stream never runs changes nothing.
  EXPECT_FALSE(run(launch + " algorithms=conv_1@1x16x99x99=winograd-f9-b1 ! fakesink").error);
  const Outcome malformed = run(launch + " algorithms=conv_1-direct ! fakesink");
  ASSERT_TRUE(malformed.error);
  EXPECT_TRUE(has(malformed.message, "Invalid value 'conv_1-direct' for property algorithms: expected LAYER@SHAPE="))
      << malformed.message;
}

// ---- what the pipeline runner shows

TEST_F(ElementSettings, RunnerShowsTheMessageAndDetailWithoutOurSourceLocation) {
  try {
    r4k::pipeline::run_pipeline({"r4krastersrc", "location=/nonexistent/in.tif", "!", "fakesink"}, {});
    FAIL() << "expected an error";
  } catch (const r4k::InputError& error) {
    const std::string text = error.what();
    EXPECT_TRUE(has(text, "Could not open raster '/nonexistent/in.tif'.")) << text;
    EXPECT_TRUE(has(text, " (")) << "the element's detail: " << text;
    EXPECT_FALSE(has(text, ".cpp(")) << text;
    EXPECT_FALSE(has(text, "/GstPipeline:")) << text;
  }
  // A refused property value is the user's to fix: an input error, whether
  // the element refuses it when it starts or GStreamer when it is set.
  try {
    r4k::pipeline::run_pipeline({"r4krastersrc", "location=/nonexistent/in.tif", "range=wide", "!", "fakesink"}, {});
    FAIL() << "expected an error";
  } catch (const r4k::InputError& error) {
    const std::string text = error.what();
    EXPECT_TRUE(has(text, "Invalid value 'wide' for property range: expected auto, MIN,MAX or bits:N")) << text;
    EXPECT_FALSE(has(text, ".cpp(")) << text;
    EXPECT_FALSE(has(text, "GstPipeline")) << text;
  }
  try {
    r4k::pipeline::run_pipeline({"videotestsrc", "num-buffers=1", "!", "r4kfit", "mode=stretch", "!", "fakesink"}, {});
    FAIL() << "expected an error";
  } catch (const r4k::InputError& error) {
    const std::string text = error.what();
    EXPECT_TRUE(has(text, "could not set property \"mode\"")) << text;
    EXPECT_TRUE(has(text, "\"stretch\"")) << text;
  }
}

TEST(RunnerMessages, GStreamersLocationLineIsLeftOut) {
  using r4k::pipeline::without_source_location;
  EXPECT_EQ(without_source_location("../pipeline/gstr4krastersrc.cpp(214): gst_r4k_raster_src_negotiate (): "
                                    "/GstPipeline:pipeline0/GstR4kRasterSrc:src:\ntile-size 8 leaves no core"),
            "tile-size 8 leaves no core");
  EXPECT_EQ(without_source_location("/src (copy)/x.cpp(9): operator() (): /GstR4kFit:fit:\na\nb"), "a\nb");
  // An element that gave no detail: the location alone.
  EXPECT_EQ(without_source_location("../pipeline/element_settings.cpp(33): refuse_settings (): "
                                    "/GstPipeline:pipeline0/GstR4kFit:fit"),
            "");
  // Text of another form is kept whole.
  for (const char* text : {"model 'x' (opencv): failed\nat load", "plain detail", "", "f (): g:", "a(1): b\nc"}) {
    EXPECT_EQ(without_source_location(text), text);
  }
}

}  // namespace
