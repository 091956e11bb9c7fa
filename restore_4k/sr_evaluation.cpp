#include "restore_4k/sr_evaluation.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <sstream>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "decode/image_reader.hpp"
#include "infer/frame_upscaler.hpp"
#include "core/error.hpp"
#include "preprocess/image_frame.hpp"

namespace r4k::restore {
namespace {

cv::Mat crop_shave(const cv::Mat& image, int shave) {
  if (image.cols <= 2 * shave || image.rows <= 2 * shave) throw InputError("image too small to shave");
  return image(cv::Rect(shave, shave, image.cols - 2 * shave, image.rows - 2 * shave));
}

// Upscales an 8-bit BGR image through the engine and returns it as 8-bit BGR.
cv::Mat upscale_bgr(infer::Engine& engine, const cv::Mat& image, const EvalOptions& options) {
  infer::UpscaleOptions upscale;
  upscale.tile_size = options.tile_size;
  upscale.halo = options.halo;
  infer::FrameUpscaler upscaler(engine, upscale);
  return image_from_frame(upscaler.upscale(frame_from_image(image)), CV_8U);
}

struct Published {
  double psnr;
  const char* method;
};

// Y-PSNR on this protocol as published (../shared/data/README.md: Dong et
// al. 2016 for FSRCNN, Shi et al. 2016 for ESPCN).
std::vector<Published> published(const std::string& set, int scale) {
  static const std::map<std::pair<std::string, int>, std::vector<Published>> table = {
      {{"Set5", 2}, {{33.66, "bicubic"}, {37.00, "FSRCNN"}}},
      {{"Set5", 4}, {{28.42, "bicubic"}, {30.71, "FSRCNN"}, {30.90, "ESPCN"}}},
      {{"Set14", 2}, {{30.24, "bicubic"}, {32.63, "FSRCNN"}}},
      {{"Set14", 4}, {{26.00, "bicubic"}, {27.60, "FSRCNN"}, {27.73, "ESPCN"}}},
  };
  const auto found = table.find({set, scale});
  return found == table.end() ? std::vector<Published>{} : found->second;
}

}  // namespace

cv::Mat matlab_luma(const cv::Mat& image) {
  cv::Mat bgr;
  if (image.channels() == 1) {
    cv::cvtColor(image, bgr, cv::COLOR_GRAY2BGR);
  } else {
    bgr = image;
  }
  if (bgr.depth() != CV_8U || bgr.channels() != 3) throw InputError("evaluation needs 8-bit images");
  cv::Mat y(bgr.rows, bgr.cols, CV_8UC1);
  for (int row = 0; row < bgr.rows; ++row) {
    const auto* in = bgr.ptr<cv::Vec3b>(row);
    auto* out = y.ptr<unsigned char>(row);
    for (int col = 0; col < bgr.cols; ++col) {
      const double value = 16.0 + (65.481 * in[col][2] + 128.553 * in[col][1] + 24.966 * in[col][0]) / 255.0;
      out[col] = static_cast<unsigned char>(std::clamp(std::lround(value), 0L, 255L));
    }
  }
  return y;
}

double psnr_y(const cv::Mat& a, const cv::Mat& b, int shave) {
  const cv::Mat x = crop_shave(a, shave);
  const cv::Mat y = crop_shave(b, shave);
  cv::Mat difference;
  cv::absdiff(x, y, difference);
  difference.convertTo(difference, CV_64F);
  const double mse = cv::mean(difference.mul(difference))[0];
  return mse <= 0.0 ? 100.0 : 10.0 * std::log10(255.0 * 255.0 / mse);
}

double ssim_y(const cv::Mat& a, const cv::Mat& b, int shave) {
  cv::Mat x;
  cv::Mat y;
  crop_shave(a, shave).convertTo(x, CV_64F);
  crop_shave(b, shave).convertTo(y, CV_64F);
  const double c1 = (0.01 * 255) * (0.01 * 255);
  const double c2 = (0.03 * 255) * (0.03 * 255);
  const auto blur = [](const cv::Mat& in) {
    cv::Mat out;
    cv::GaussianBlur(in, out, cv::Size(11, 11), 1.5, 1.5, cv::BORDER_REPLICATE);
    return out;
  };
  const cv::Mat mx = blur(x);
  const cv::Mat my = blur(y);
  const cv::Mat sxx = blur(x.mul(x)) - mx.mul(mx);
  const cv::Mat syy = blur(y.mul(y)) - my.mul(my);
  const cv::Mat sxy = blur(x.mul(y)) - mx.mul(my);
  cv::Mat numerator = (2 * mx.mul(my) + c1).mul(2 * sxy + c2);
  cv::Mat denominator = (mx.mul(mx) + my.mul(my) + c1).mul(sxx + syy + c2);
  cv::Mat map;
  cv::divide(numerator, denominator, map);
  // The valid part only (as the reference implementation's 'valid' filter).
  const int r = 5;
  return cv::mean(map(cv::Rect(r, r, map.cols - 2 * r, map.rows - 2 * r)))[0];
}

cv::Mat film_degradation(const cv::Mat& hr, int scale, unsigned seed) {
  std::mt19937 random(seed);
  std::uniform_real_distribution<double> blur_sigma(0.4, 1.2);
  cv::Mat blurred;
  cv::GaussianBlur(hr, blurred, cv::Size(0, 0), blur_sigma(random));
  cv::Mat small;
  cv::resize(blurred, small, cv::Size(hr.cols / scale, hr.rows / scale), 0, 0, cv::INTER_AREA);
  // Grain: Gaussian, sigma 2..6 codes, on every channel.
  std::uniform_real_distribution<double> grain_sigma(2.0, 6.0);
  cv::Mat noise(small.size(), CV_32FC3);
  cv::RNG rng(static_cast<std::uint64_t>(random()));
  rng.fill(noise, cv::RNG::NORMAL, 0.0, grain_sigma(random));
  cv::Mat noisy;
  small.convertTo(noisy, CV_32FC3);
  noisy += noise;
  noisy.convertTo(small, CV_8UC3);
  // Compression, as a DVD or a scan saved as JPEG would add.
  std::vector<unsigned char> jpeg;
  std::uniform_int_distribution<int> quality(50, 85);
  cv::imencode(".jpg", small, jpeg, {cv::IMWRITE_JPEG_QUALITY, quality(random)});
  return cv::imdecode(jpeg, cv::IMREAD_COLOR);
}

SetScore evaluate_set(const std::filesystem::path& set_folder, const EvalOptions& options) {
  auto model = infer::load_model(options.model, options.engine);
  const int scale = model->info().scale;
  auto bicubic = infer::load_model("builtin:bicubic-x" + std::to_string(scale), options.engine);
  const std::filesystem::path folder = set_folder / ("image_SRF_" + std::to_string(scale));
  std::error_code ec;
  if (!std::filesystem::is_directory(folder, ec)) {
    throw InputError("no x" + std::to_string(scale) + " folder '" + folder.string() + "'");
  }
  std::vector<std::filesystem::path> hr_files;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    const std::string name = entry.path().filename().string();
    if (name.size() > 7 && name.compare(name.size() - 7, 7, "_HR.png") == 0) hr_files.push_back(entry.path());
  }
  std::sort(hr_files.begin(), hr_files.end());
  if (hr_files.empty()) throw InputError("no *_HR.png images in '" + folder.string() + "'");

  SetScore score;
  score.set = set_folder.filename().string();
  score.scale = scale;
  unsigned seed = 1;
  for (const auto& hr_path : hr_files) {
    const cv::Mat hr = cv::imread(hr_path.string(), cv::IMREAD_COLOR);
    std::string lr_path = hr_path.string();
    lr_path.replace(lr_path.size() - 7, 7, "_LR.png");
    const cv::Mat lr = options.film ? film_degradation(hr, scale, seed++) : cv::imread(lr_path, cv::IMREAD_COLOR);
    if (hr.empty() || lr.empty()) throw InputError("cannot read '" + hr_path.string() + "' or its LR image");
    const cv::Mat truth = matlab_luma(hr(cv::Rect(0, 0, lr.cols * scale, lr.rows * scale)));
    const cv::Mat ours = matlab_luma(upscale_bgr(*model, lr, options));
    const cv::Mat baseline = matlab_luma(upscale_bgr(*bicubic, lr, options));
    ImageScore image;
    image.name = hr_path.filename().string().substr(0, 7);
    image.psnr = psnr_y(ours, truth, scale);
    image.ssim = ssim_y(ours, truth, scale);
    image.bicubic_psnr = psnr_y(baseline, truth, scale);
    image.bicubic_ssim = ssim_y(baseline, truth, scale);
    score.images.push_back(image);
  }
  for (const auto& image : score.images) {
    score.psnr += image.psnr;
    score.ssim += image.ssim;
    score.bicubic_psnr += image.bicubic_psnr;
    score.bicubic_ssim += image.bicubic_ssim;
  }
  const auto n = static_cast<double>(score.images.size());
  score.psnr /= n;
  score.ssim /= n;
  score.bicubic_psnr /= n;
  score.bicubic_ssim /= n;
  return score;
}

std::string evaluation_table(const std::vector<SetScore>& scores, const std::string& model, bool film) {
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(2);
  out << "Model " << model << (film ? ", film-degraded inputs" : ", the sets' LR inputs")
      << "; Y-PSNR (dB) / SSIM, shave = scale, through restore4k's engine, tiled\n\n"
      << "| set | scale | model | bicubic (engine) | gain | published |\n|---|---|---|---|---|---|\n";
  for (const SetScore& s : scores) {
    std::string reference;
    if (!film) {
      for (const auto& p : published(s.set, s.scale)) {
        std::ostringstream item;
        item.setf(std::ios::fixed);
        item.precision(2);
        item << (reference.empty() ? "" : ", ") << p.method << " " << p.psnr;
        reference += item.str();
      }
    }
    out << "| " << s.set << " | x" << s.scale << " | " << s.psnr << " / ";
    out.precision(4);
    out << s.ssim << " | ";
    out.precision(2);
    out << s.bicubic_psnr << " / ";
    out.precision(4);
    out << s.bicubic_ssim << " | ";
    out.precision(2);
    out << std::showpos << (s.psnr - s.bicubic_psnr) << std::noshowpos << " dB | " << (reference.empty() ? "—" : reference) << " |\n";
  }
  return out.str();
}

}  // namespace r4k::restore
