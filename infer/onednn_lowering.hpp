// The oneDNN lowering of a fusion plan: for one input shape, the primitives,
// buffers and hand-written kernels that compute the plan, recorded as a list
// of steps. Layouts are chosen here and only here: oneDNN's blocked layouts
// kept from one convolution to the next (channel-last where oneDNN would
// otherwise land on a GEMM), reorders only where an operator needs plain
// data, element-wise steps in place where nothing else reads their input.
#pragma once

#include <functional>
#include <map>
#include <oneapi/dnnl/dnnl.hpp>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/tensor.hpp"
#include "infer/autotune.hpp"
#include "infer/fusion_plan.hpp"
#include "infer/specialized_graph.hpp"

namespace r4k::infer {

// f32 descriptions of `dims`: plain (row-major) and, for 4-D, channel-last.
dnnl::memory::desc plain_desc(const Dims& dims);
dnnl::memory::desc channel_last_desc(const Dims& dims);

// The first `count` of `post_ops` as oneDNN post-ops; a residual operand in
// `residual_desc` (the layout the convolution's output takes).
dnnl::post_ops fused_post_ops(const std::vector<PostOp>& post_ops, std::size_t count,
                              const dnnl::memory::desc& residual_desc);

// What runs for one input shape, created once and reused for every batch.
struct OneDnnProgram {
  using Step = std::function<void(dnnl::stream&)>;
  std::vector<Step> steps;
  dnnl::memory input;   // plain NCHW, handle set per run
  dnnl::memory output;  // plain NCHW, handle set per run
  Step output_step;     // the graph's output into `output`
  TensorShape output_shape;
  double flops = 0.0;                        // multiply-adds x 2 of one run
  std::vector<std::string> implementations;  // what runs each convolution (and PReLU kernels of ours)
  std::vector<dnnl::memory> keep;            // weights, constants and buffers the steps use
  std::vector<std::pair<std::string, dnnl::memory>> captures;  // values copied out after the steps (plain f32)
};

// Builds a OneDnnProgram from a plan, step by step. The lowering of a plan
// step gets this object: the memories of the runtime values computed so far
// and the helpers that add steps to the program.
class OneDnnLowering {
 public:
  // `autotuner` chooses each convolution's algorithm; null: oneDNN's direct
  // convolution everywhere.
  OneDnnLowering(const SpecializedGraph& graph, const dnnl::engine& engine, OneDnnProgram& program,
                 Autotuner* autotuner = nullptr);

  // Every step of `plan`, then the copy of the graph's output to the program's.
  void lower(const FusionPlan& plan);
  // After lower: steps that copy the runtime values `names` out as plain
  // floats (program.captures), as they are when the run ends. Meant for
  // values that convolutions read (calibration): a convolution never writes
  // its input, and a value with other readers is never overwritten in place.
  void capture(const std::vector<std::string>& names);

  const SpecializedGraph& graph() const { return graph_; }
  const dnnl::engine& engine() const { return engine_; }
  OneDnnProgram& program() { return program_; }
  Autotuner* autotuner() const { return autotuner_; }

  // The memory holding runtime value `name` (computed by an earlier step).
  const dnnl::memory& value(const std::string& name) const;
  void define(const std::string& name, dnnl::memory memory);

  void add_step(OneDnnProgram::Step step) { program_.steps.push_back(std::move(step)); }
  dnnl::memory new_memory(const dnnl::memory::desc& desc) { return dnnl::memory(desc, engine_); }
  // `memory` in `desc`, adding a reorder step when its layout differs; once
  // per memory and layout (a dense block's tensors feed several
  // concatenations: each is converted once, not once per reader). Sound
  // because a value read more than once is never overwritten in place.
  dnnl::memory as_layout(const dnnl::memory& memory, const dnnl::memory::desc& desc);
  // `values` as a plain f32 memory of `dims`, kept for the program's life.
  dnnl::memory constant(const std::vector<float>& values, const Dims& dims);

  // `post_ops` applied to `input` one step each, in order, in place where
  // they can be: for the post-ops of a convolution group that its lowering
  // does not fuse (`input` is then the convolution's output, which nothing
  // else reads). Returns the memory holding the result.
  dnnl::memory separate_post_ops(const std::vector<PostOp>& post_ops, dnnl::memory input);

  // The operands of the first `count` post-ops, fused by fused_post_ops, as
  // primitive arguments.
  void post_op_arguments(const std::vector<PostOp>& post_ops, std::size_t count,
                         const dnnl::memory::desc& residual_desc, std::unordered_map<int, dnnl::memory>& args);

  // The precision of the plan being lowered.
  Precision precision() const { return precision_; }
  // In place when `name` is read by nothing else and is not the caller's input.
  bool may_overwrite(const std::string& name) const;

  // `input` (a convolution's result, in whatever layout it has) shuffled
  // depth-to-space into a plain tensor, with the upsampled tensor added:
  // one pass, reading `input` where it lies.
  dnnl::memory shuffled_output(const ShuffledOutput& shuffle, const dnnl::memory& input);

 private:
  void operation(const Operation& operation);
  void permute(const Permute& permute);
  void concat(const Operation& operation);
  void resize(const Operation& operation);
  void reshape(const Operation& operation);
  void binary_operation(const Operation& operation);

  dnnl::memory eltwise(dnnl::algorithm algorithm, float alpha, float beta, const dnnl::memory& input, bool in_place);
  dnnl::memory prelu(const std::vector<float>& slopes, const dnnl::memory& input, bool in_place, const Node& node);
  dnnl::memory binary(dnnl::algorithm algorithm, const dnnl::memory& src0, const dnnl::memory& src1);

  const SpecializedGraph& graph_;
  const dnnl::engine& engine_;
  OneDnnProgram& program_;
  Autotuner* autotuner_;
  Precision precision_ = Precision::fp32;
  std::map<std::string, dnnl::memory> values_;
  struct Conversion {
    dnnl_memory_t source;
    dnnl::memory converted;
  };
  std::vector<Conversion> conversions_;  // as_layout's, in the order made
};

// One convolution group: the convolution with every post-op oneDNN fuses
// into a fast kernel, the rest as separate steps. All post-ops are fused
// unless that makes oneDNN choose a reference kernel because of a
// per-channel PReLU (oneDNN 2.6 has no JIT for it below AVX-512): then the
// post-ops before that PReLU are fused and the PReLU and what follows it run
// as separate steps (the PReLU with prelu_per_channel). Records the
// implementation oneDNN chose and defines the group's output value.
// This is the "direct" algorithm of onednn_convolution_choice.hpp.
void lower_convolution(const ConvolutionGroup& group, OneDnnLowering& lowering);

}  // namespace r4k::infer
