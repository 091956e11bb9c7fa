#include "tests/support/command_runner.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>

namespace r4k::testing {

std::string shell_quote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

Outcome run_command(const std::string& program, const std::vector<std::string>& arguments,
                    const std::string& environment) {
  std::string command = environment.empty() ? "" : environment + " ";
  command += shell_quote(program);
  for (const auto& argument : arguments) command += " " + shell_quote(argument);
  command += " 2>&1";
  Outcome outcome;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return outcome;
  std::array<char, 4096> buffer{};
  while (std::fgets(buffer.data(), static_cast<int>(buffer.size()), pipe) != nullptr) outcome.output += buffer.data();
  const int status = ::pclose(pipe);
  outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return outcome;
}

Outcome run_and_signal(const std::string& program, const std::vector<std::string>& arguments,
                       const std::string& trigger, int signal_number, bool& interrupted) {
  int done = 0;
  Outcome outcome = run_and_signal_steps(program, arguments, {{trigger, signal_number}}, done);
  interrupted = done == 1;
  return outcome;
}

Outcome run_and_signal_steps(const std::string& program, const std::vector<std::string>& arguments,
                             const std::vector<SignalStep>& steps, int& steps_done) {
  Outcome outcome;
  steps_done = 0;
  int fds[2];
  if (::pipe(fds) != 0) return outcome;
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(program.c_str()));
  for (const auto& argument : arguments) argv.push_back(const_cast<char*>(argument.c_str()));
  argv.push_back(nullptr);
  const pid_t child = ::fork();
  if (child == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    ::dup2(fds[1], STDERR_FILENO);
    ::close(fds[0]);
    ::close(fds[1]);
    ::execv(program.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  if (child < 0) {
    ::close(fds[0]);
    return outcome;
  }
  FILE* stream = ::fdopen(fds[0], "r");
  std::array<char, 4096> line{};
  while (std::fgets(line.data(), static_cast<int>(line.size()), stream) != nullptr) {
    outcome.output += line.data();
    const auto step = static_cast<std::size_t>(steps_done);
    if (step < steps.size() && std::string(line.data()).find(steps[step].trigger) != std::string::npos) {
      ::kill(child, steps[step].signal_number);
      ++steps_done;
    }
  }
  std::fclose(stream);
  int status = 0;
  ::waitpid(child, &status, 0);
  outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return outcome;
}

bool program_available(const std::string& program) {
  return run_command("/bin/sh", {"-c", "command -v " + shell_quote(program)}).exit_code == 0;
}

}  // namespace r4k::testing
