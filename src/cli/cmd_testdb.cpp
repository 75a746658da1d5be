// pgstack testdb template|get|return|list|gc|serve: a migrated, isolated database per test.
// Flags into testdb::Options, the library does the work (src/testdb/), the reporter prints.
#include <fcntl.h>
#include <fmt/format.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <thread>

#include "action_table.h"
#include "commands.h"
#include "endpoint_vars.h"
#include "env_format.h"
#include "flag_choices.h"
#include "pgstack/core/duration.h"
#include "pgstack/core/nearest.h"
#include "pgstack/location/endpoints.h"
#include "pgstack/migrate/history_name.h"
#include "pgstack/pg/conn_params.h"
#include "pgstack/testdb/api.h"
#include "pgstack/testdb/dir_template.h"
#include "pgstack/testdb/http_server.h"
#include "pgstack/testdb/names.h"
#include "pgstack/testdb/serve_lock.h"
#include "pgstack/testdb/service.h"

namespace pgstack::cli {
namespace {

using nlohmann::json;

// The variable holding serve's token: never on the command line, where `ps` shows it.
constexpr const char* kTokenVariable = "PGSTACK_TESTDB_TOKEN";

// testdb's own defaults, spelled as the flags take them.
std::string DefaultStrategy() {
  std::string name(testdb::StrategyName(testdb::Options{}.strategy));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return name;
}
std::string DefaultListen() {
  return fmt::format("{}:{}", testdb::ServerOptions{}.host, testdb::ServerOptions{}.port);
}

struct Flags {
  testdb::Options o;
  std::string strategy = DefaultStrategy();
  std::string get_wait =
      core::FormatDuration(std::chrono::milliseconds(testdb::Options{}.get_wait_ms));
  std::string listen = DefaultListen();
  bool allow_remote = false;
  bool token = false;
  std::string header_timeout = core::FormatDuration(testdb::ReadLimits{}.header_timeout);
  std::string body_timeout = core::FormatDuration(testdb::ReadLimits{}.body_timeout);
  std::string dir;
  std::string format;
  std::vector<std::string> fixtures;
  std::string hash;
  std::string id;
  bool recreate = false;
  std::string export_format;  // empty: print the URL
  bool all = false;
};

Result<std::unique_ptr<testdb::Service>> OpenService(const Flags& f, Context& ctx) {
  testdb::Options o = f.o;
  auto strategy = testdb::ParseStrategy(f.strategy);
  if (!strategy) {
    return Status::InvalidInput("--strategy " + f.strategy + ": wal_log or file_copy");
  }
  o.strategy = *strategy;
  PGSTACK_ASSIGN_OR_RETURN(std::chrono::milliseconds get_wait,
                           core::ParseDuration(f.get_wait, "--get-wait"));
  o.get_wait_ms = static_cast<int>(get_wait.count());
  PGSTACK_ASSIGN_OR_RETURN(core::Environment env, ctx.LoadEnv());
  PGSTACK_ASSIGN_OR_RETURN(location::Endpoints ep,
                           location::ResolveEndpoints(env, ctx.global.state_dir));
  o.extensions = env.postgres.extensions;
  return testdb::Service::Open(ep, o);
}

Result<testdb::DirTemplate> DirFlags(const Flags& f, Context& ctx) {
  testdb::DirTemplate t;
  t.dir = f.dir.empty() ? ctx.InProject(t.dir) : f.dir;
  PGSTACK_ASSIGN_OR_RETURN(core::Environment env, ctx.LoadEnv());
  PGSTACK_ASSIGN_OR_RETURN(t.history, migrate::ConfigHistoryName(env.migrate, env.file, t.dir));
  PGSTACK_ASSIGN_OR_RETURN(t.format, migrate::ParseFormatFlag("--format", f.format));
  t.fixtures = f.fixtures;
  return t;
}

int Template(Context& ctx, const Flags& f) {
  auto t = DirFlags(f, ctx);
  if (!t.ok()) return ctx.out.Fail(t.status());
  auto svc = OpenService(f, ctx);
  if (!svc.ok()) return ctx.out.Fail(svc.status());
  auto hash = testdb::EnsureDirTemplate(**svc, *t);
  if (!hash.ok()) return ctx.out.Fail(hash.status());
  ctx.out.Json({{"templateHash", *hash}, {"database", testdb::TemplateDatabaseName(*hash)}});
  ctx.out.Line(*hash);
  return 0;
}

int Get(Context& ctx, const Flags& f) {
  if (!f.hash.empty() && !f.dir.empty()) {
    return ctx.out.Fail(Status::InvalidInput("give --hash or --dir, not both"));
  }
  auto format = ParseEnvFormat("--export", f.export_format);
  if (!f.export_format.empty() && !format.ok()) return ctx.out.Fail(format.status());
  auto svc = OpenService(f, ctx);
  if (!svc.ok()) return ctx.out.Fail(svc.status());
  std::string hash = f.hash;
  if (hash.empty()) {
    auto t = DirFlags(f, ctx);
    if (!t.ok()) return ctx.out.Fail(t.status());
    auto h = testdb::TemplateForGet(**svc, *t);
    if (!h.ok()) return ctx.out.Fail(h.status());
    hash = *h;
  }
  auto db = (*svc)->GetTestDatabase(hash);
  if (!db.ok()) return ctx.out.Fail((*svc)->Explain(db.status()));
  pg::ConnParams p = (*svc)->ConnFor(*db);
  std::string url = pg::ToUrl(p, pg::Redact::kNo);
  json doc = testdb::DatabaseJson(hash, p);
  doc["id"] = db->id;
  doc["url"] = url;
  ctx.out.Json(std::move(doc));
  if (f.export_format.empty()) {
    ctx.out.Line(url);  // the one place a password is printed, on request, as `env` does
    return 0;
  }
  EnvVars vars = EndpointVariables(p);
  vars.emplace_back("PGSTACK_TESTDB_ID", std::to_string(db->id));
  auto text = FormatSet(vars, *format);
  if (!text.ok()) return ctx.out.Fail(text.status());
  ctx.out.Text(*text);
  return 0;
}

// An id, or the name of a test database (its id is the part after the last '_').
std::optional<int64_t> IdOf(const std::string& text) {
  if (auto id = testdb::ParseTestId(text)) return id;
  if (text.rfind(testdb::kTestPrefix, 0) != 0) return std::nullopt;
  return testdb::ParseTestId(text.substr(text.rfind('_') + 1));
}

int Return(Context& ctx, const Flags& f) {
  std::optional<int64_t> id = IdOf(f.id);
  if (!id) {
    return ctx.out.Fail(
        Status::InvalidInput(f.id + ": not a test database id (nor a testdb database name)"));
  }
  auto svc = OpenService(f, ctx);
  if (!svc.ok()) return ctx.out.Fail(svc.status());
  Status s = f.recreate ? (*svc)->RecreateTestDatabase("", *id, true)
                        : (*svc)->UnlockTestDatabase("", *id);
  if (!s.ok()) return ctx.out.Fail(s);
  ctx.out.Json({{"id", *id}, {"returned", f.recreate ? "recreated" : "unlocked"}});
  ctx.out.Line(fmt::format("test database {} {}", *id, f.recreate ? "recreated" : "unlocked"));
  return 0;
}

int List(Context& ctx, const Flags& f) {
  auto svc = OpenService(f, ctx);
  if (!svc.ok()) return ctx.out.Fail(svc.status());
  auto list = (*svc)->List();
  if (!list.ok()) return ctx.out.Fail(list.status());
  json arr = json::array();
  ctx.out.Line(fmt::format("{:<40} {:<10} {:>6} {:>6} {:>6}  {}", "HASH", "STATE", "READY",
                           "IN USE", "TOTAL", "LAST USED"));
  for (const auto& t : *list) {
    arr.push_back({{"templateHash", t.hash},
                   {"database", t.database},
                   {"state", t.state},
                   {"ready", t.ready},
                   {"in_use", t.in_use},
                   {"tests", t.tests},
                   {"last_used", t.last_used}});
    ctx.out.Line(fmt::format("{:<40} {:<10} {:>6} {:>6} {:>6}  {}", t.hash, t.state, t.ready,
                             t.in_use, t.tests, t.last_used));
  }
  ctx.out.Json({{"templates", arr}});
  return 0;
}

int Gc(Context& ctx, const Flags& f) {
  auto svc = OpenService(f, ctx);
  if (!svc.ok()) return ctx.out.Fail(svc.status());
  auto g = (*svc)->Gc(f.all);
  if (!g.ok()) return ctx.out.Fail(g.status());
  ctx.out.Json({{"dead_builds", g->dead_builds},
                {"dead_clones", g->dead_clones},
                {"stale_tests", g->stale_tests},
                {"recreated", g->recreated},
                {"evicted", g->evicted},
                {"discarded", g->discarded},
                {"orphans", g->orphans}});
  ctx.out.Line(fmt::format(
      "gc: {} dead builds, {} dead clones, {} stale test databases, {} recreated, {} evicted, "
      "{} discarded, {} orphans dropped",
      g->dead_builds, g->dead_clones, g->stale_tests, g->recreated, g->evicted, g->discarded,
      g->orphans));
  return 0;
}

// SIGTERM and SIGINT are blocked in every thread and taken by one waiter, which turns them into
// a readable pipe for the server and an interrupt for the requests that wait.
class StopSignals {
 public:
  explicit StopSignals(testdb::Service& svc) {
    sigemptyset(&set_);
    sigaddset(&set_, SIGTERM);
    sigaddset(&set_, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set_, &old_);
    if (pipe2(pipe_, O_CLOEXEC) != 0) pipe_[0] = pipe_[1] = -1;
    waiter_ = std::thread([this, &svc] {
      int sig = 0;
      sigwait(&set_, &sig);
      if (!done_) {
        svc.Interrupt();
        if (write(pipe_[1], "x", 1) < 0) {
        }
      }
    });
  }
  ~StopSignals() {
    done_ = true;
    // The waiter has SIGTERM blocked and sigwaits for it: this wakes it, it terminates nothing.
    pthread_kill(waiter_.native_handle(), SIGTERM);  // NOLINT(bugprone-bad-signal-to-kill-thread)
    waiter_.join();
    // The mask stays: a second SIGTERM during the drain must not kill the process on unblock.
    close(pipe_[0]);
    close(pipe_[1]);
  }
  int fd() const { return pipe_[0]; }

 private:
  sigset_t set_, old_;
  int pipe_[2];
  std::atomic<bool> done_{false};
  std::thread waiter_;
};

// The server's options from the flags: where it listens, who may call it, its deadlines.
Result<testdb::ServerOptions> ServerFlags(const Flags& f) {
  testdb::ServerOptions so;
  PGSTACK_RETURN_IF_ERROR(testdb::ParseListen(f.listen, "--listen", so));
  if (!f.allow_remote && !testdb::IsLoopbackHost(so.host)) {
    return Status::InvalidInput(fmt::format(
        "--listen {}: not a loopback address; whoever reaches it gets database passwords and "
        "can drop every test database: add --allow-remote to mean it (and --token)",
        f.listen));
  }
  if (f.token) {
    const char* token = std::getenv(kTokenVariable);
    if (!token || !*token) {
      return Status::InvalidInput(fmt::format(
          "--token: set {} to the token clients send (Authorization: Bearer)", kTokenVariable));
    }
    so.token = token;
  }
  PGSTACK_ASSIGN_OR_RETURN(so.limits.header_timeout,
                           core::ParseDuration(f.header_timeout, "--header-timeout"));
  PGSTACK_ASSIGN_OR_RETURN(so.limits.body_timeout,
                           core::ParseDuration(f.body_timeout, "--body-timeout"));
  return so;
}

// Lifts the soft limit on open descriptors to the hard one: each client connection takes one.
void RaiseDescriptorLimit() {
  rlimit r{};
  if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
    r.rlim_cur = r.rlim_max;
    (void)setrlimit(RLIMIT_NOFILE, &r);
  }
}

int Serve(Context& ctx, const Flags& f) {
  auto so = ServerFlags(f);
  if (!so.ok()) return ctx.out.Fail(so.status());
  RaiseDescriptorLimit();
  auto lock = testdb::ServeLock::Acquire(ctx.global.state_dir, "http://" + f.listen);
  if (!lock.ok()) return ctx.out.Fail(lock.status());
  auto server = testdb::HttpServer::Listen(*so);
  if (!server.ok()) return ctx.out.Fail(server.status());
  std::string url = testdb::BaseUrl(so->host, (*server)->port());
  (void)lock->Describe(url);
  if (!testdb::IsLoopbackHost(so->host)) {
    ctx.out.Warn(fmt::format(
        "{} is reachable from other machines: anyone who reaches it gets database passwords of "
        "this stack and can drop every test database{}",
        url, so->token.empty() ? ", with no token (--token) asked" : " (those with the token)"));
  }
  auto svc = OpenService(f, ctx);
  if (!svc.ok()) return ctx.out.Fail(svc.status());
  testdb::Service& service = **svc;
  StopSignals signals(service);
  bool verbose = ctx.out.verbose();
  service.StartWorkers([verbose](const std::string& what) {
    if (verbose) std::cerr << "testdb: " + what + "\n";
  });
  ctx.out.Line(fmt::format(
      "testdb serve: IntegreSQL API v1 at {}/api/v1 (pool {} per template, "
      "cap {}, {} templates, {})",
      url, f.o.pool_size ? f.o.pool_size : service.options().pool_size, service.options().max_tests,
      service.options().max_templates, testdb::StrategyName(service.options().strategy)));
  std::cout.flush();
  auto handler = [&service, verbose](const testdb::HttpRequest& req) {
    auto t0 = std::chrono::steady_clock::now();
    testdb::HttpResponse resp = testdb::HandleApi(service, req);
    if (verbose) {
      double ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      std::cerr << fmt::format("{} {} {} {:.1f} ms\n", req.method, req.target, resp.status, ms);
    }
    return resp;
  };
  Status s = (*server)->Serve(handler, signals.fd());
  service.Stop();
  if (!s.ok()) return ctx.out.Fail(s);
  ctx.out.Detail("testdb serve: stopped");
  return 0;
}

void AddDirFlags(CLI::App& action, Flags& f) {
  action.add_option("--dir", f.dir,
                    "migrations directory (default the project root's database/migrations)");
  WithChoices(
      action.add_option("--format", f.format,
                        "force a migrations format: " + core::JoinNames(migrate::FormatNames())),
      migrate::FormatNames());
  action.add_option("--fixtures", f.fixtures, "SQL files run after the migrations, in order");
}

void AddGetFlags(CLI::App& get, Flags& f) {
  get.add_option("--hash", f.hash, "an existing template's hash");
  AddDirFlags(get, f);
  // Not --env: that is the global flag naming the environment, accepted after the subcommand too.
  get.add_option("--export", f.export_format,
                 fmt::format("the variables `pgstack env` sets, as export lines; --export=FORMAT "
                             "writes them as env --format does: {}",
                             core::JoinNames(EnvFormatNames())))
      ->expected(0, 1)
      ->default_str(std::string(EnvFormatName(kDefaultEnvFormat)));
}

void AddReturnFlags(CLI::App& ret, Flags& f) {
  ret.add_option("id", f.id, "its id (or database name)")->required();
  ret.add_flag("--recreate", f.recreate, "drop it and clone it again");
}

void AddGcFlags(CLI::App& gc, Flags& f) {
  gc.add_flag("--all", f.all, "discard every template and test database");
}

void AddServeFlags(CLI::App& serve, Flags& f) {
  serve.add_option("--listen", f.listen, "HOST:PORT")->capture_default_str();
  serve.add_flag("--allow-remote", f.allow_remote,
                 "listen on an address other machines reach (they get database passwords)");
  serve.add_flag("--token", f.token,
                 std::string("require `Authorization: Bearer $") + kTokenVariable + "`");
  serve
      .add_option("--header-timeout", f.header_timeout,
                  "a request's headers must arrive within this of its first byte (else 408)")
      ->capture_default_str();
  serve
      .add_option("--body-timeout", f.body_timeout,
                  "a request's body must arrive within this of its headers (else 408)")
      ->capture_default_str();
}

// Every action works on the stack's server; each checks its own flags before it connects.
constexpr Action<Flags> kActions[] = {
    {"template", "build (or find) the template of a migrations dir; prints its hash",
     Needs::kDatabase, AddDirFlags, Template},
    {"get", "a fresh test database: a URL, export lines (--export) or --json", Needs::kDatabase,
     AddGetFlags, Get},
    {"return", "give a test database back: as it is, or --recreate", Needs::kDatabase,
     AddReturnFlags, Return},
    {"list", "templates and their test databases", Needs::kDatabase, NoFlags, List},
    {"gc", "clean up after dead builders, evict over the cap, drop orphans", Needs::kDatabase,
     AddGcFlags, Gc},
    {"serve", "IntegreSQL's HTTP API v1 in the foreground (SIGTERM drains and exits 0)",
     Needs::kDatabase, AddServeFlags, Serve},
};

}  // namespace

RunFn RegisterTestdb(CLI::App& sub, Context& ctx) {
  auto f = std::make_shared<Flags>();
  sub.add_flag("--pooled", f->o.pooled, "hand out PgBouncer's endpoint instead of the server's");
  sub.add_option("--pool-size", f->o.pool_size,
                 "ready clones kept per template (default from cores)");
  sub.add_option("--max-tests", f->o.max_tests, "test databases per template (default 4x pool)");
  sub.add_option("--max-templates", f->o.max_templates, "templates kept (least recently used go)");
  sub.add_option("--workers", f->o.workers, "background cloners (serve)");
  sub.add_option("--strategy", f->strategy, "CREATE DATABASE strategy: wal_log or file_copy")
      ->capture_default_str();
  sub.add_option("--get-wait", f->get_wait,
                 "how long a get waits for a test database to come back at the cap (--max-tests)")
      ->capture_default_str();
  return RegisterActions(sub, ctx, kActions, f);
}

}  // namespace pgstack::cli
