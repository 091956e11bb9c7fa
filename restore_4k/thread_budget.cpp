#include "restore_4k/thread_budget.hpp"

#include <algorithm>

namespace r4k::restore {

ThreadBudget thread_budget(int cores, int engine_threads) {
  cores = std::max(1, cores);
  ThreadBudget budget;
  budget.encoder = cores >= 8 ? std::min(cores / 4, 8) : 1;
  budget.engine = engine_threads > 0 ? engine_threads : cores >= 8 ? cores - budget.encoder : cores;
  return budget;
}

}  // namespace r4k::restore
