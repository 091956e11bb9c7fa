#include <csignal>

#include "apps/commands.hpp"

namespace r4k::app {
namespace {

std::atomic<bool> g_finish{false};
std::atomic<bool> g_abort{false};
std::atomic<int> g_signals{0};

// The first Ctrl-C (or SIGTERM) finishes the output with the frames in
// flight; the second stops at once and removes the partial output; a third
// ends the program as the signal would (the next run removes what is left).
extern "C" void on_signal(int signal_number) {
  const int count = g_signals.fetch_add(1) + 1;
  g_finish.store(true);
  if (count >= 2) {
    g_abort.store(true);
    std::signal(signal_number, SIG_DFL);
  }
}

}  // namespace

const std::atomic<bool>* Interrupt::finish() { return &g_finish; }
const std::atomic<bool>* Interrupt::abort() { return &g_abort; }

void Interrupt::install() {
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
}

}  // namespace r4k::app
