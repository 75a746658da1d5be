#include "pgstack/core/interrupt.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <list>
#include <mutex>
#include <string>
#include <thread>

namespace pgstack::core {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// Written by the signal handler: only lock-free atomics and a pipe.
std::atomic<int> g_signal{0};
std::atomic<bool> g_interrupted{false};
std::atomic<int> g_wake_fd{-1};

void Wake() {
  int fd = g_wake_fd.load();
  if (fd < 0) return;
  int saved = errno;
  if (write(fd, "x", 1) < 0) {
  }
  errno = saved;
}

extern "C" void OnInterruptSignal(int sig) {
  int none = 0;
  if (!g_signal.compare_exchange_strong(none, sig)) {
    // The second signal: the default action (the signal is blocked until this handler returns).
    signal(sig, SIG_DFL);
    raise(sig);
    return;
  }
  g_interrupted.store(true);
  Wake();
}

constexpr milliseconds kRefire{1000};

}  // namespace

// The hooks and the thread that calls them, outside the signal handler where they may lock and
// allocate.
struct InterruptState {
  std::mutex hooks_mu;
  std::list<InterruptHook*> hooks;
  std::mutex sleep_mu;
  std::condition_variable sleepers;
  int pipe_fds[2] = {-1, -1};

  static InterruptState& Get() {
    static InterruptState* state = new InterruptState();  // never destroyed: the thread uses it
    return *state;
  }

  void StartOnce() {
    static std::once_flag once;
    std::call_once(once, [this] {
      if (pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) != 0) return;
      g_wake_fd.store(pipe_fds[1]);
      std::thread([this] { Run(); }).detach();
    });
  }

  void Run() {
    // Signals go to the other threads: this one must not take them (testdb serve waits for them
    // with sigwait, blocked everywhere else).
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, nullptr);
    while (true) {
      pollfd p{pipe_fds[0], POLLIN, 0};
      (void)poll(&p, 1, g_interrupted.load() ? 100 : -1);
      char buf[64];
      while (read(pipe_fds[0], buf, sizeof buf) > 0) {
      }
      if (!g_interrupted.load()) continue;
      { std::lock_guard<std::mutex> lock(sleep_mu); }
      sleepers.notify_all();
      FireHooks();
    }
  }

  void FireHooks() {
    std::lock_guard<std::mutex> lock(hooks_mu);
    auto now = steady_clock::now();
    for (InterruptHook* h : hooks) {
      if (h->was_fired_ && now - h->fired_ < kRefire) continue;
      h->was_fired_ = true;
      h->fired_ = now;
      h->cancel_();
    }
  }

  void Add(InterruptHook* h) {
    StartOnce();
    {
      std::lock_guard<std::mutex> lock(hooks_mu);
      hooks.push_back(h);
    }
    if (g_interrupted.load()) Wake();
  }

  void Remove(InterruptHook* h) {
    std::lock_guard<std::mutex> lock(hooks_mu);
    hooks.remove(h);
  }
};

void InstallInterruptHandlers() {
  InterruptState::Get().StartOnce();
  struct sigaction sa {};
  sa.sa_handler = OnInterruptSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

bool Interrupted() { return g_interrupted.load(); }

const std::atomic<bool>& InterruptedFlag() { return g_interrupted; }

Status InterruptedStatus(std::string_view what) {
  int sig = g_signal.load();
  std::string msg = std::string(what) + (what.empty() ? "" : ": ") + "interrupted (" +
                    (sig == SIGTERM ? "SIGTERM" : "SIGINT") + ")";
  return Status::Interrupted(msg).WithCode(sig == SIGTERM ? Code::kTerminated : Code::kInterrupted);
}

Status CheckInterrupt(std::string_view what) {
  return Interrupted() ? InterruptedStatus(what) : Status::Ok();
}

bool IsInterruption(const Status& s) {
  return s.code() == Code::kInterrupted || s.code() == Code::kTerminated;
}

bool SleepUnlessInterrupted(milliseconds d) {
  InterruptState& st = InterruptState::Get();
  std::unique_lock<std::mutex> lock(st.sleep_mu);
  return !st.sleepers.wait_for(lock, d, [] { return g_interrupted.load(); });
}

InterruptHook::InterruptHook(std::function<void()> cancel) : cancel_(std::move(cancel)) {
  InterruptState::Get().Add(this);
}

InterruptHook::~InterruptHook() { InterruptState::Get().Remove(this); }

void SimulateInterrupt(int sig) {
  InterruptState& st = InterruptState::Get();
  st.StartOnce();
  int none = 0;
  g_signal.compare_exchange_strong(none, sig);
  g_interrupted.store(true);
  Wake();
}

void ResetInterruptForTest() {
  g_interrupted.store(false);
  g_signal.store(0);
}

}  // namespace pgstack::core
