#!/usr/bin/env bash
# Sets restore4k up (scripts/setup.sh) and runs the main job on the built-in
# default: a degraded SD clip (interlaced PAL 4:3 with flicker, grain and
# dust, BT.601, with sound), generated here with ffmpeg, restored to
# 3840x2160 with the film-4k preset.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"
restore4k="${R4K_BUILD_DIR:-$root/build}/apps/restore4k"
out="$root/out/demo"
mkdir -p "$out"
# Two seconds of test picture, made old: exposure flicker, grain, dust
# specks on single frames, then interlaced and encoded as a DVD would be.
ffmpeg -v error -y -f lavfi -i "testsrc2=size=720x576:rate=25" -f lavfi -i "sine=frequency=440:sample_rate=48000" \
  -t 2 -vf "eq=brightness='0.04*sin(2*PI*t*5.3)':eval=frame,noise=alls=12:allf=t,\
drawbox=x='t*2425-700*floor(t*2425/700)':y='t*1525-560*floor(t*1525/560)':w=5:h=4:color=white:t=fill,setsar=16/15" \
  -flags +ilme+ildct -top 1 -c:v mpeg2video -b:v 8M -pix_fmt yuv420p -colorspace bt470bg -color_primaries bt470bg \
  -color_trc smpte170m -color_range tv -c:a ac3 -ac 2 -shortest "$out/degraded-sd.mkv"
"$restore4k" video "$out/degraded-sd.mkv" "$out/restored-4k.mkv" --preset film-4k
echo
echo "demo: input  $out/degraded-sd.mkv (720x576 interlaced 4:3, BT.601, flicker, grain, dust)"
echo "demo: output $out/restored-4k.mkv (3840x2160 progressive BT.709 FFV1, pillarboxed 4:3, audio carried over)"
