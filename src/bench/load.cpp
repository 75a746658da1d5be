#include "pgstack/bench/load.h"

#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "pgstack/pg/async_connection.h"
#include "pgstack/pg/connection.h"
#include "pgstack/pg/error_class.h"

namespace pgstack::bench {
namespace {

// SQLSTATEs for failures libpq reports without one.
constexpr std::string_view kCannotConnect = pg::kCannotConnectState;
constexpr std::string_view kConnectionLost = pg::kConnectionFailureState;

constexpr int64_t kMs = 1'000'000;
// A refused or broken client waits 50ms, doubling to at most 1.6s, before it tries again: a
// client above a limit keeps asking, but not so fast that refusals become the load.
constexpr int64_t kFirstRetryNs = 50 * kMs;
constexpr int kMaxRetryDoublings = 5;
// The longest a worker sleeps in epoll_wait, so that it notices a stop request.
constexpr int kMaxWaitMs = 100;

int64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// What every worker reads; the times are fixed before the workers start.
struct Shared {
  const LoadSpec& spec;
  pg::LibpqParams params;
  int64_t measure_start = 0;
  int64_t measure_end = 0;
  int64_t drain_end = 0;
  std::atomic<bool> finish{false};  // stop early (interrupted)
  std::atomic<int> connected{0};
  std::atomic<int> connected_peak{0};
};

enum class State { kIdle, kConnecting, kBusy, kBackoff };

struct Client {
  explicit Client(uint64_t seed) : rng(seed) {}
  pg::AsyncConnection conn;
  bool connected = false;
  int fd = -1;
  uint32_t watched = 0;  // the epoll events registered for fd
  State state = State::kIdle;
  size_t statement = 0;  // index into the script of the statement in flight
  bool failed = false;   // this transaction hit an error (counted once)
  bool rolling_back = false;
  int64_t txn_start = 0;
  int64_t connect_start = 0;
  int64_t retry_at = 0;
  int failures = 0;  // consecutive connection failures, for the pause
  Rng rng;
  std::vector<int64_t> values;
};

// One thread's share of the clients. Everything here is touched by that thread only, except
// completed_ which the calling thread reads for progress.
class Worker {
 public:
  Worker(Shared& shared, const std::vector<uint64_t>& seeds) : shared_(shared) {
    clients_.reserve(seeds.size());  // never reallocated: epoll holds pointers into it
    for (uint64_t s : seeds) clients_.emplace_back(s);
  }
  ~Worker() {
    for (Client& c : clients_) Close(c);
    if (epfd_ >= 0) close(epfd_);
  }

  void Run();

  Histogram latency;
  Histogram connect;
  std::map<std::string, uint64_t> errors;
  uint64_t measured = 0;
  Status status;
  std::atomic<uint64_t> completed{0};

 private:
  bool Stopping(int64_t now) const {
    return now >= shared_.measure_end || shared_.finish.load(std::memory_order_relaxed);
  }
  void Handle(Client& c, uint32_t events);
  void BeginConnect(Client& c, int64_t now);
  void PollConnect(Client& c);
  void StartTransaction(Client& c, int64_t now);
  void Send(Client& c, const char* sql);
  void SendStatement(Client& c);
  void OnReadable(Client& c);
  void StatementDone(Client& c);
  void EndTransaction(Client& c, bool ok);
  void Lost(Client& c);
  void Backoff(Client& c);
  void Close(Client& c);
  // Asks the server to cancel the statement a client waits for: a stopped run must not leave
  // it running there (a --sql of pg_sleep(1000) would hold a backend for 1000 s).
  static void CancelStatement(Client& c);
  bool Watch(Client& c, uint32_t events);
  void CountError(std::string_view sqlstate) { ++errors[std::string(sqlstate)]; }
  int InFlight() const {
    int n = 0;
    for (const Client& c : clients_) n += c.state == State::kConnecting || c.state == State::kBusy;
    return n;
  }

  Shared& shared_;
  std::vector<Client> clients_;
  int epfd_ = -1;
  int backing_off_ = 0;
  bool cancelled_ = false;  // the in-flight statements were cancelled (interrupted)
  std::string sql_;         // the rendered statement, reused
};

void Worker::Run() {
  epfd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epfd_ < 0) {
    status = Status::Failure(std::string("epoll_create1: ") + std::strerror(errno));
    return;
  }
  int64_t now = NowNs();
  for (Client& c : clients_) BeginConnect(c, now);
  epoll_event events[64];
  while (true) {
    now = NowNs();
    bool stopping = Stopping(now);
    if (shared_.finish.load(std::memory_order_relaxed) && !cancelled_) {
      cancelled_ = true;  // interrupted: nothing in flight is worth waiting for
      for (Client& c : clients_) {
        if (c.state == State::kBusy) CancelStatement(c);
      }
    }
    if (stopping && (now >= shared_.drain_end || InFlight() == 0)) break;
    int64_t wake = stopping                      ? shared_.drain_end
                   : now < shared_.measure_start ? shared_.measure_start
                                                 : shared_.measure_end;
    if (backing_off_ > 0) {
      for (const Client& c : clients_) {
        if (c.state == State::kBackoff) wake = std::min(wake, c.retry_at);
      }
    }
    int timeout_ms =
        static_cast<int>(std::clamp<int64_t>((wake - now + kMs - 1) / kMs, 0, kMaxWaitMs));
    int n = epoll_wait(epfd_, events, 64, timeout_ms);
    if (n < 0) {
      if (errno == EINTR) continue;
      status = Status::Failure(std::string("epoll_wait: ") + std::strerror(errno));
      break;
    }
    for (int i = 0; i < n; ++i) Handle(*static_cast<Client*>(events[i].data.ptr), events[i].events);
    if (backing_off_ > 0) {
      now = NowNs();
      stopping = Stopping(now);
      for (Client& c : clients_) {
        if (c.state != State::kBackoff || c.retry_at > now) continue;
        --backing_off_;
        c.state = State::kIdle;
        if (!stopping) BeginConnect(c, now);
      }
    }
  }
  for (Client& c : clients_) {
    if (c.state == State::kBusy) CancelStatement(c);  // abandoned at the drain limit
    Close(c);
  }
}

void Worker::CancelStatement(Client& c) { c.conn.Cancel(); }

void Worker::Handle(Client& c, uint32_t events) {
  if (c.state == State::kConnecting) {
    PollConnect(c);
    return;
  }
  if (c.state != State::kBusy) return;
  if (events & EPOLLOUT) {
    pg::AsyncConnection::Flushed f = c.conn.Flush();
    if (f == pg::AsyncConnection::Flushed::kFailed) return Lost(c);
    if (f == pg::AsyncConnection::Flushed::kAll && !Watch(c, EPOLLIN)) return;
  }
  if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) OnReadable(c);
}

void Worker::BeginConnect(Client& c, int64_t now) {
  c.connect_start = now;
  c.conn = pg::AsyncConnection::Start(shared_.params);
  if (!c.conn.open()) {
    CountError(kCannotConnect);
    Close(c);
    return Backoff(c);
  }
  c.state = State::kConnecting;
  Watch(c, EPOLLOUT);
}

void Worker::PollConnect(Client& c) {
  switch (c.conn.PollConnect()) {
    case pg::AsyncConnection::Progress::kReading:
      Watch(c, EPOLLIN);
      return;
    case pg::AsyncConnection::Progress::kWriting:
      Watch(c, EPOLLOUT);
      return;
    case pg::AsyncConnection::Progress::kReady: {
      int64_t now = NowNs();
      connect.Record(static_cast<uint64_t>(now - c.connect_start));
      c.failures = 0;
      c.connected = true;
      int in = shared_.connected.fetch_add(1, std::memory_order_relaxed) + 1;
      int peak = shared_.connected_peak.load(std::memory_order_relaxed);
      while (in > peak && !shared_.connected_peak.compare_exchange_weak(peak, in)) {
      }
      if (Stopping(now)) return Close(c);
      return StartTransaction(c, now);
    }
    case pg::AsyncConnection::Progress::kFailed: {
      std::string_view sqlstate = c.conn.ConnectSqlState();
      CountError(sqlstate.empty() ? kCannotConnect : sqlstate);
      Close(c);
      return Backoff(c);
    }
  }
}

void Worker::StartTransaction(Client& c, int64_t now) {
  c.txn_start = now;
  c.statement = 0;
  c.failed = false;
  c.rolling_back = false;
  shared_.spec.script->Draw(c.rng, c.values);
  SendStatement(c);
}

void Worker::SendStatement(Client& c) {
  shared_.spec.script->Render(c.statement, c.values, sql_);
  Send(c, sql_.c_str());
}

void Worker::Send(Client& c, const char* sql) {
  c.state = State::kBusy;
  if (!c.conn.Send(sql)) return Lost(c);
  pg::AsyncConnection::Flushed f = c.conn.Flush();
  if (f == pg::AsyncConnection::Flushed::kFailed) return Lost(c);
  Watch(c, f == pg::AsyncConnection::Flushed::kMore ? EPOLLIN | EPOLLOUT : EPOLLIN);
}

void Worker::OnReadable(Client& c) {
  if (!c.conn.Read()) return Lost(c);
  bool done = false;
  while (std::optional<pg::AsyncConnection::Outcome> r = c.conn.Next(done)) {
    if (!r->failed) continue;
    if (!c.failed)
      CountError(r->sqlstate[0] ? std::string_view(r->sqlstate.data()) : kConnectionLost);
    c.failed = true;
  }
  if (done) return StatementDone(c);
  if (c.conn.lost()) Lost(c);
}

void Worker::StatementDone(Client& c) {
  if (c.conn.lost()) return Lost(c);
  if (c.failed || c.rolling_back) {
    // A failed statement inside BEGIN leaves the transaction aborted: end it before the next.
    if (!c.rolling_back && c.conn.in_failed_transaction()) {
      c.rolling_back = true;
      return Send(c, "ROLLBACK");
    }
    return EndTransaction(c, false);
  }
  if (++c.statement < shared_.spec.script->size()) return SendStatement(c);
  EndTransaction(c, true);
}

void Worker::EndTransaction(Client& c, bool ok) {
  int64_t now = NowNs();
  if (ok && now >= shared_.measure_start && now < shared_.measure_end) {
    latency.Record(static_cast<uint64_t>(now - c.txn_start));
    ++measured;
  }
  completed.store(completed.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  c.state = State::kIdle;
  if (shared_.spec.mode == ConnMode::kPerTransaction || Stopping(now)) {
    Close(c);
    if (!Stopping(now)) BeginConnect(c, now);
    return;
  }
  StartTransaction(c, now);
}

void Worker::Lost(Client& c) {
  if (!c.failed) CountError(kConnectionLost);
  Close(c);
  Backoff(c);
}

void Worker::Backoff(Client& c) {
  int64_t pause = kFirstRetryNs << std::min(c.failures, kMaxRetryDoublings);
  ++c.failures;
  c.retry_at = NowNs() + pause;
  c.state = State::kBackoff;
  ++backing_off_;
}

void Worker::Close(Client& c) {
  if (c.connected) shared_.connected.fetch_sub(1, std::memory_order_relaxed);
  c.connected = false;
  c.conn = pg::AsyncConnection();  // closing the socket also removes it from epoll
  c.fd = -1;
  c.watched = 0;
  if (c.state == State::kBackoff) --backing_off_;
  c.state = State::kIdle;
}

// Registers the client's current socket for events. libpq may replace the socket while it
// connects (even with one of the same number), so during a connect we always re-register.
bool Worker::Watch(Client& c, uint32_t events) {
  int fd = c.conn.socket();
  if (fd < 0) {
    Lost(c);
    return false;
  }
  if (fd == c.fd && events == c.watched && c.state != State::kConnecting) return true;
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = &c;
  int rc = -1;
  if (fd == c.fd) rc = epoll_ctl(epfd_, EPOLL_CTL_MOD, fd, &ev);
  if (rc != 0) {
    rc = epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev);
    if (rc != 0 && errno == EEXIST) rc = epoll_ctl(epfd_, EPOLL_CTL_MOD, fd, &ev);
  }
  if (rc != 0) {
    CountError(kConnectionLost);
    Close(c);
    Backoff(c);
    return false;
  }
  c.fd = fd;
  c.watched = events;
  return true;
}

}  // namespace

Result<LoadResult> RunLoad(const LoadSpec& spec) {
  if (!spec.script || spec.script->size() == 0) return Status::InvalidInput("no statement to run");
  if (spec.clients < 1 || spec.threads < 1) return Status::InvalidInput("no clients to run");
  Shared shared{spec, pg::LibpqParams(spec.target)};
  int64_t start = NowNs();
  shared.measure_start = start + spec.warmup.count();
  shared.measure_end = shared.measure_start + spec.duration.count();
  shared.drain_end = shared.measure_end + kDrainLimit.count();

  int threads = std::min(spec.threads, spec.clients);
  std::vector<std::unique_ptr<Worker>> workers;
  for (int t = 0; t < threads; ++t) {
    std::vector<uint64_t> seeds;
    for (int i = t; i < spec.clients; i += threads) seeds.push_back(static_cast<uint64_t>(i) + 1);
    workers.push_back(std::make_unique<Worker>(shared, std::move(seeds)));
  }
  // The workers count themselves out; the ticks wait on that, so the last one ends the wait.
  std::mutex done_mu;
  std::condition_variable done_cv;
  int running = threads;
  std::vector<std::thread> pool;
  for (auto& w : workers) {
    pool.emplace_back([&, worker = w.get()] {
      worker->Run();
      std::lock_guard<std::mutex> lock(done_mu);
      if (--running == 0) done_cv.notify_all();
    });
  }

  LoadResult out;
  while (true) {
    {
      std::unique_lock<std::mutex> lock(done_mu);
      if (done_cv.wait_for(lock, kTickInterval, [&] { return running == 0; })) break;
    }
    if (spec.stop && spec.stop->load() && !shared.finish.load()) {
      shared.finish = true;
      out.interrupted = true;
    }
    if (!spec.on_tick) continue;
    int64_t now = NowNs();
    LoadTick tick{now < shared.measure_start ? Phase::kWarmup
                  : now < shared.measure_end ? Phase::kMeasure
                                             : Phase::kDrain,
                  Duration(now - start), 0, shared.connected.load()};
    for (auto& w : workers) tick.transactions += w->completed.load(std::memory_order_relaxed);
    spec.on_tick(tick);
  }
  for (auto& t : pool) t.join();
  int64_t end = NowNs();

  Status failed;
  for (auto& w : workers) {
    if (!w->status.ok()) failed = w->status;
    out.latency.Merge(w->latency);
    out.connect.Merge(w->connect);
    out.transactions += w->measured;
    for (const auto& [k, v] : w->errors) out.errors[k] += v;
  }
  if (!failed.ok()) return failed;
  out.clients_connected_peak = shared.connected_peak.load();
  int64_t window = std::min(shared.measure_end, end) - shared.measure_start;
  out.measured_s =
      out.interrupted ? std::max<int64_t>(window, 0) / 1e9 : spec.duration.count() / 1e9;
  return out;
}

}  // namespace pgstack::bench
