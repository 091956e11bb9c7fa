#!/usr/bin/env bash
# Sets restore4k up on a Debian 12 machine: installs the Debian packages it
# needs (only those missing), then configures and builds it (Release, -O2,
# ccache). Safe to run again: it only does what is not done yet.
#
#   scripts/setup.sh            # build into ./build
#   R4K_BUILD_DIR=/x scripts/setup.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${R4K_BUILD_DIR:-$root/build}"

packages=(
  build-essential cmake ninja-build ccache pkg-config
  libopencv-dev          # core, imgproc, imgcodecs, dnn (OpenCV 4.6)
  libonnx-dev libprotobuf-dev protobuf-compiler  # ONNX graphs via protobuf
  libdnnl-dev            # oneDNN 2.6: the native inference backend
  libyaml-cpp-dev libspdlog-dev libcli11-dev
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev   # elements, GstHarness (gstreamer-check)
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav  # demuxers, parsers, decoders, encoders
  libavformat-dev libavcodec-dev libavutil-dev libswresample-dev  # media probing and muxing
  libgdal-dev gdal-bin   # rasters: GeoTIFF/COG reading and writing, gdalinfo in tests
  ffmpeg                                                 # ffprobe checks and test clips
  libgtest-dev libgmock-dev
  slurm-wlm munge        # the tests' own single-node Slurm (segmented films, sharded rasters)
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# ccache keys on paths relative to the source tree, so fresh clones in other
# folders reuse the cache.
export CCACHE_BASEDIR="$root"
export CCACHE_NOHASHDIR=1
if [[ ! -f "$build/build.ninja" ]]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release
fi
cmake --build "$build" --parallel "$(nproc)"
echo "setup: built $build/apps/restore4k"
