// A TensorFlow-style DepthToSpace layer for OpenCV DNN. OpenCV 4.6's
// TensorFlow importer has no such layer, so frozen SR graphs (ESPCN, FSRCNN,
// LapSRN exports) fail with "Can't create layer DepthToSpace" until one is
// registered. The layer reads the `block_size` attribute and uses TF's DCR
// order: output (c, y*s + dy, x*s + dx) = input ((dy*s + dx)*C + c, y, x).
#pragma once

namespace r4k::infer {

// Registers the layer with cv::dnn::LayerFactory once per process.
void register_depth_to_space_layer();

}  // namespace r4k::infer
