#!/usr/bin/env bash
# The installed restore4k, as a user gets it: `cmake --install` into a
# temporary prefix, which is then moved (a relocated package), and used from
# a folder outside the source tree with R4K_MODELS_DIR unset.
#   - every installed file is where it belongs;
#   - the program finds the models installed beside it (not the source tree's
#     nor the configured prefix's) and runs a real job with one;
#   - the program uses the elements built into it even when GST_PLUGIN_PATH
#     points at the build tree's plugin (which it must not load);
#   - GStreamer finds the installed plugin in its folder, licence LGPL.
#
#   install_test.sh BUILD_DIR PLUGIN_DIR_UNDER_PREFIX BUILD_TREE_PLUGIN_DIR
set -euo pipefail

build=$1
plugindir=$2
build_plugin_dir=$3

tmp=$(mktemp -d "${TMPDIR:-/tmp}/r4k-install-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

fail() {
  echo "install_test: FAIL: $*" >&2
  exit 1
}

cmake --install "$build" --prefix "$tmp/prefix" >"$tmp/install.log" 2>&1 || {
  cat "$tmp/install.log" >&2
  fail "cmake --install $build --prefix $tmp/prefix"
}
for file in bin/restore4k "$plugindir/libgstrestore4k.so" share/restore4k/models/film-x4.onnx \
  share/restore4k/models/film-x4.md share/restore4k/models/clean-x2.onnx share/restore4k/presets/film-4k.yaml \
  share/doc/restore4k/LICENSE; do
  [[ -f $tmp/prefix/$file ]] || fail "not installed: $file"
done
[[ -x $tmp/prefix/bin/restore4k ]] || fail "bin/restore4k is not executable"

# A relocated installation must still find its own files.
prefix=$tmp/moved
mv "$tmp/prefix" "$prefix"
mkdir "$tmp/work"
cd "$tmp/work"
unset R4K_MODELS_DIR GST_PLUGIN_PATH GST_PLUGIN_PATH_1_0
export GST_REGISTRY="$tmp/registry.bin"  # never the user's registry cache

info=$("$prefix/bin/restore4k" models info builtin:film-x4) || fail "restore4k models info builtin:film-x4"
model_file=$(awk '$1 == "file:" { print $2 }' <<<"$info")
[[ $model_file == "$prefix/share/restore4k/models/film-x4.onnx" ]] ||
  fail "models info builtin:film-x4 uses '$model_file', not the installed $prefix/share/restore4k/models/film-x4.onnx"

# A real job through the pipeline with an installed neural model, while the
# build tree's plugin is on GST_PLUGIN_PATH (and in the registry: primed
# first, without debug output, so that the plugin scanner's own loading is
# not mistaken for the program's).
GST_PLUGIN_PATH=$build_plugin_dir gst-inspect-1.0 r4ksuperres >/dev/null ||
  fail "the build tree's plugin in $build_plugin_dir is not found (the check below would mean nothing)"
gdal_create -q -of GTiff -outsize 48 32 -bands 3 -ot Byte -burn 40 -burn 120 -burn 200 -a_srs EPSG:32633 \
  -a_ullr 500000 4000000 500480 3999680 scene.tif || fail "gdal_create"
GST_PLUGIN_PATH=$build_plugin_dir GST_DEBUG=GST_PLUGIN_LOADING:4 GST_DEBUG_NO_COLOR=1 \
  "$prefix/bin/restore4k" raster scene.tif scene_x2.tif --model builtin:clean-x2 --progress plain \
  >"$tmp/raster.log" 2>&1 || {
  cat "$tmp/raster.log" >&2
  fail "restore4k raster scene.tif scene_x2.tif --model builtin:clean-x2"
}
grep -q 'registered static plugin "restore4k"' "$tmp/raster.log" ||
  fail "the program did not register its built-in elements"
if grep 'libgstrestore4k.so" loaded' "$tmp/raster.log"; then
  fail "the installed program loaded a restore4k plugin file instead of its own elements"
fi
size=$(gdalinfo scene_x2.tif | grep '^Size is') || fail "gdalinfo scene_x2.tif"
[[ $size == "Size is 96, 64" ]] || fail "scene_x2.tif: '$size', expected 96 x 64"

# GStreamer users: the installed plugin from its folder.
inspect=$(GST_PLUGIN_PATH=$prefix/$plugindir gst-inspect-1.0 r4ksuperres) ||
  fail "gst-inspect-1.0 r4ksuperres with GST_PLUGIN_PATH=$prefix/$plugindir"
grep -Eq "^ +Filename +$prefix/$plugindir/libgstrestore4k.so\$" <<<"$inspect" ||
  fail "gst-inspect-1.0 r4ksuperres: not the installed plugin: $(grep Filename <<<"$inspect")"
grep -Eq '^ +License +LGPL$' <<<"$inspect" ||
  fail "gst-inspect-1.0 r4ksuperres: licence is not LGPL: $(grep License <<<"$inspect")"

echo "install_test: ok ($prefix: program, plugin, models, presets, licence)"
