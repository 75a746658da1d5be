// UpExternal: checks everything first (nothing is written until every check passed), then
// provisions, applies settings and writes PgBouncer's files. See external.h.
#include "pgstack/stack/external.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include "external_internal.h"
#include "internal.h"
#include "pgstack/core/files.h"
#include "pgstack/core/pgbouncer_files.h"
#include "pgstack/core/unified_diff.h"
#include "pgstack/core/wait.h"
#include "pgstack/pg/conn_params.h"
#include "pgstack/pg/error_class.h"
#include "pgstack/stack/provision.h"

namespace pgstack::stack {
namespace {

using external::PlannedFile;

// Everything the run will do, decided before anything changes.
struct Plan {
  pg::ConnParams admin;
  external::ServerFacts facts;
  external::SettingsPlan settings;
  std::optional<std::vector<std::string>> restart_command;
  external::PgBouncerPlan bouncer;
  ProvisionResult provision;  // planned (dry run): statements and the verifier to set
};

Result<pg::ConnParams> AdminParams(const core::Environment& env, const core::EnvLookup& lookup) {
  const core::PostgresConfig& pg = env.postgres;
  std::optional<std::string> url = lookup(pg.admin_url_env);
  if (!url || url->empty()) {
    return Status::InvalidInput(fmt::format(
        "{} is not set: environment {} is external, so pgstack needs the administrator's "
        "connection string in it, e.g. export {}=postgresql://postgres@{}:{}/postgres",
        pg.admin_url_env, env.name, pg.admin_url_env, pg.host, pg.port));
  }
  auto parsed = pg::ParseConnString(
      *url, pg::ConnParams{.host = pg.host, .port = pg.port, .dbname = "postgres"});
  if (!parsed.ok())
    return parsed.status().WithContext(pg.admin_url_env).WithCode(Code::kInvalidInput);
  return parsed;
}

Result<pg::Connection> OpenAdmin(const pg::ConnParams& p, const std::string& var) {
  auto c = pg::Connection::Open(p);
  if (c.ok()) return c;
  Status s = c.status().WithContext("the administrator connection (" + var + ")");
  // A wrong password or role is the operator's input; a server that is down is not.
  return pg::Classify(s) == pg::ErrorClass::kInvalidPassword ? s.WithCode(Code::kInvalidInput) : s;
}

std::string Diff(const PlannedFile& f, bool redact) {
  auto show = [&](const std::string& s) { return redact ? external::RedactVerifiers(s) : s; };
  std::string diff = core::UnifiedDiff(show(f.old.value_or("")), show(f.content),
                                       f.old ? f.path : "/dev/null", f.path + " (pgstack)");
  if (diff.empty()) diff = fmt::format("{}: mode or owner changes (mode {:04o})\n", f.path, f.mode);
  return diff;
}

Result<Plan> MakePlan(pg::Connection& admin, const external::OpenDb& open_db,
                      const core::Environment& env, const ExternalOptions& o,
                      ExternalReport& report) {
  Plan plan;
  PGSTACK_ASSIGN_OR_RETURN(plan.facts, external::ReadServerFacts(admin, open_db, env));
  report.pg_version = plan.facts.version;
  PGSTACK_RETURN_IF_ERROR(external::CheckServer(plan.facts, env, {}, false));
  external::ConfDirFacts conf = external::InspectConfDir(admin, plan.facts, o.pg_conf_dir);
  PGSTACK_ASSIGN_OR_RETURN(auto target, external::ChooseSettingsTarget(conf));
  PGSTACK_ASSIGN_OR_RETURN(plan.settings,
                           external::PlanSettings(plan.facts, env, target, o.pg_conf_dir));
  PGSTACK_RETURN_IF_ERROR(external::CheckServer(plan.facts, env, plan.settings.alter_system_names,
                                                plan.settings.reload));
  if (conf.config_here) plan.restart_command = external::RestartCommand(plan.facts.config_file);
  std::string yourself = fmt::format(
      "pgstack restarts only a Debian cluster of this machine (pg_ctlcluster or systemd), and "
      "this server's config file is {}; restart it yourself (e.g. pg_ctl -D {} restart)",
      plan.facts.config_file.empty() ? "unknown" : plan.facts.config_file,
      plan.facts.data_directory.empty() ? "DATADIR" : plan.facts.data_directory);
  if (o.restart && !plan.settings.restart_pending.empty() && !plan.restart_command)
    return Status::InvalidInput("--restart: " + yourself + " and run pgstack up again");
  report.restart_hint = plan.restart_command ? fmt::format("rerun with --restart, or run `{}`",
                                                           fmt::join(*plan.restart_command, " "))
                                             : yourself;
  PGSTACK_ASSIGN_OR_RETURN(plan.bouncer, external::PreparePgBouncer(env, o.pgbouncer_dir));
  // Read-only; the verifier it picks (the server's, the userlist's, or a new one) is the one the
  // real run sets, so what a dry run shows is what a run writes.
  ProvisionOptions planning{.dry_run = true};
  if (plan.bouncer.userlist.old)
    planning.verifier =
        core::UserlistSecret(*plan.bouncer.userlist.old, env.postgres.user).value_or("");
  PGSTACK_ASSIGN_OR_RETURN(plan.provision, Provision(admin, open_db, env.postgres, planning));
  PGSTACK_RETURN_IF_ERROR(external::PlanUserlist(plan.bouncer, env, plan.provision.verifier));
  // PgBouncer's [databases] entry and verify use the environment's address, the setup the
  // administrator's: a different port usually means two servers (a proxy may explain it).
  if (plan.facts.port != env.postgres.port) {
    report.notes.push_back(fmt::format(
        "the administrator's server listens on port {}, but environment {} names {}:{} (what "
        "PgBouncer and verify use); set PGPORT or the config if that is not the same server",
        plan.facts.port, env.name, env.postgres.host, env.postgres.port));
  }
  if (!plan.facts.superuser && plan.facts.role_exists) {
    report.notes.push_back(fmt::format(
        "{} is not a superuser and cannot read stored verifiers, so every run sets the password "
        "of {} again (to the verifier PgBouncer's userlist holds, when it is one of the password)",
        plan.facts.admin_user, env.postgres.user));
  }
  report.settings_via = target.file ? plan.settings.file->path : "ALTER SYSTEM";
  if (!target.file) {
    report.notes.push_back(
        fmt::format("settings go through ALTER SYSTEM (postgresql.auto.conf): {}", target.why));
  }
  return plan;
}

// A dry run's actions read as the run's report would, in the same order.
void ReportDryRun(const Plan& plan, bool restart, ExternalReport& report) {
  const auto& s = plan.settings;
  auto& acts = report.actions;
  for (const auto& st : plan.provision.statements) report.statements.push_back(st);
  acts.insert(acts.end(), plan.provision.actions.begin(), plan.provision.actions.end());
  for (const auto& st : s.statements) report.statements.push_back(st.shown);
  if (s.reload) report.statements.push_back("SELECT pg_reload_conf()");
  auto write = [&](const PlannedFile* f, bool redact) {
    if (!f || !f->changed) return;
    acts.push_back({ActionVerb::kWrote,
                    fmt::format("{}{}", f->path, f->old ? ", previous version kept" : "")});
    report.diffs.push_back(Diff(*f, redact));
  };
  write(s.file ? &*s.file : nullptr, false);
  if (!s.changed.empty())
    acts.push_back({ActionVerb::kSet, fmt::format("{}", fmt::join(s.changed, ", "))});
  if (s.reload) acts.push_back({ActionVerb::kReloaded, "PostgreSQL (pg_reload_conf())"});
  if (restart && plan.restart_command && !s.restart_pending.empty()) {
    acts.push_back({ActionVerb::kRestarted,
                    fmt::format("PostgreSQL ({}) for {}", fmt::join(*plan.restart_command, " "),
                                fmt::join(s.restart_pending, ", "))});
  }
  write(&plan.bouncer.userlist, true);
  write(&plan.bouncer.ini, false);
  if (plan.bouncer.ini.changed || plan.bouncer.userlist.changed)
    acts.push_back({ActionVerb::kReloaded, "PgBouncer, if it runs"});
  report.restart_pending = s.restart_pending;
}

// Two runs against one server at once would plan from the same state and both apply it: the
// second waits, bounded, for the first. The lock belongs to the administrator's session.
Status LockServer(pg::Connection& admin) {
  return core::WaitUntil(
      {.what = "the lock of pgstack up on this server",
       .timeout = std::chrono::seconds(60),
       .backoff = {.first = std::chrono::milliseconds(100)},
       .code = Code::kLockTimeout},
      [&] {
        auto got = admin.Exec("SELECT pg_try_advisory_lock(hashtext('pgstack up (external)'))");
        if (!got.ok()) return core::Poll::Fail(got.status());
        return got->scalar() == "t"
                   ? core::Poll::Ready()
                   : core::Poll::NotYet("another pgstack up is setting up this server");
      });
}

// pgstack.conf was written and the server rejected it: left there, it would keep the server
// from starting next time. The previous file goes back (or the new one away) and the server
// re-reads it; the run fails with the server's reason.
Status RestoreConfFile(const PlannedFile& f, const std::string& backup, pg::Connection& admin,
                       const core::Environment& env, const Status& why, ExternalReport& report) {
  struct stat st {};  // the backup's mode and owner, for the old content (none: the file goes)
  Status restored =
      f.old && ::stat(backup.c_str(), &st) != 0
          ? Status::Failure("cannot stat " + backup)
          : core::RestoreFile(f.path, f.old, st.st_mode & 07777, core::Owner{st.st_uid, st.st_gid});
  if (!restored.ok()) {
    return Status::Failure(fmt::format("{}; and {} could not be put back: {}", why.message(),
                                       f.path, restored.message()));
  }
  std::vector<std::string> ignored;
  Status reloaded = external::ReloadServer(admin, env, ignored).status();
  report.actions.push_back(
      {ActionVerb::kPut, fmt::format("the previous {} back{}", f.path,
                                     reloaded.ok() ? " and reloaded PostgreSQL" : "")});
  return why;
}

Status ApplySettings(Plan& plan, pg::Connection& admin, const core::Environment& env,
                     core::ProcessRunner& runner, ExternalReport& report) {
  const auto& s = plan.settings;
  std::string backup;
  if (s.file && s.file->changed) {
    PGSTACK_ASSIGN_OR_RETURN(backup, external::WritePlannedFile(*s.file));
    if (!backup.empty()) report.backups.push_back(backup);
    report.actions.push_back(
        {ActionVerb::kWrote,
         fmt::format("{}{}", s.file->path,
                     backup.empty() ? "" : ", previous version kept as " + backup)});
  }
  for (size_t i = 0; i < s.statements.size(); ++i) {
    report.statements.push_back(s.statements[i].shown);
    Status done = admin.Run(s.statements[i].sql);
    if (done.ok()) continue;
    // The server refused a value: what the earlier statements changed goes back, so that
    // postgresql.auto.conf is as it was (none of it was reloaded yet).
    size_t undone = 0;
    for (size_t k = i; k-- > 0;) undone += admin.Run(s.undo[k].sql).ok() ? 1 : 0;
    if (i > 0) {
      report.actions.push_back(
          {ActionVerb::kPut,
           fmt::format("back {} of {} settings ALTER SYSTEM had changed", undone, i)});
    }
    return done.WithContext(s.statements[i].shown);
  }
  if (!s.changed.empty())
    report.actions.push_back({ActionVerb::kSet, fmt::format("{}", fmt::join(s.changed, ", "))});
  if (s.reload) {
    report.statements.push_back("SELECT pg_reload_conf()");
    auto pending = external::ReloadServer(admin, env, report.notes);
    if (!pending.ok() && s.file && s.file->changed)
      return RestoreConfFile(*s.file, backup, admin, env, pending.status(), report);
    if (!pending.ok()) return pending.status();
    report.restart_pending = *pending;
    report.actions.push_back({ActionVerb::kReloaded, "PostgreSQL (pg_reload_conf())"});
  } else {
    PGSTACK_ASSIGN_OR_RETURN(report.restart_pending, external::PendingRestart(admin, env));
  }
  if (plan.restart_command && !report.restart_pending.empty()) {
    const auto& argv = *plan.restart_command;
    PGSTACK_ASSIGN_OR_RETURN(auto out, runner.Run(core::Command{.argv = argv, .timeout_s = 300}));
    std::string shown = fmt::format("{}", fmt::join(argv, " "));
    if (out.exit_code != 0) return Status::Failure(shown + " failed: " + out.output);
    // Waits (bounded) until the restarted server lets the administrator in again.
    PGSTACK_ASSIGN_OR_RETURN(auto again, WaitForLogin(plan.admin, std::chrono::seconds(60)));
    admin = std::move(again);
    report.actions.push_back(
        {ActionVerb::kRestarted,
         fmt::format("PostgreSQL ({}) for {}", shown, fmt::join(report.restart_pending, ", "))});
    PGSTACK_ASSIGN_OR_RETURN(report.restart_pending, external::PendingRestart(admin, env));
  }
  return Status::Ok();
}

Status Apply(Plan& plan, pg::Connection& admin, const external::OpenDb& open_db,
             const core::Environment& env, const ExternalOptions& o, core::ProcessRunner& runner,
             ExternalReport& report) {
  ProvisionOptions real{.verifier = plan.provision.verifier};
  PGSTACK_ASSIGN_OR_RETURN(ProvisionResult done, Provision(admin, open_db, env.postgres, real));
  report.statements = done.statements;
  report.actions = done.actions;
  // Someone changed the role since the plan: the userlist follows what the server holds now.
  if (done.verifier != plan.provision.verifier)
    PGSTACK_RETURN_IF_ERROR(external::PlanUserlist(plan.bouncer, env, done.verifier));
  PGSTACK_RETURN_IF_ERROR(ApplySettings(plan, admin, env, runner, report));
  return external::ApplyPgBouncer(plan.bouncer, env, o.restart, runner, report);
}

}  // namespace

Result<ExternalReport> UpExternal(const core::Environment& env, const ExternalOptions& o,
                                  const core::EnvLookup& lookup, core::ProcessRunner& runner) {
  if (env.mode != core::Mode::kExternal) {
    return Status::InvalidInput(
        fmt::format("{}: environment {} is not external", env.file, env.name));
  }
  const core::PostgresConfig& pg = env.postgres;
  PGSTACK_ASSIGN_OR_RETURN(pg::ConnParams admin_params, AdminParams(env, lookup));
  if (pg.password.empty()) {
    return Status::InvalidInput(
        fmt::format("{} is not set: environment {} needs the password of "
                    "role {} in it",
                    pg.password_env, env.name, pg.user));
  }
  ExternalReport report;
  report.dry_run = o.dry_run;
  report.server = pg::ToUrl(admin_params, pg::Redact::kYes);
  PGSTACK_ASSIGN_OR_RETURN(auto admin, OpenAdmin(admin_params, pg.admin_url_env));
  external::OpenDb open_db = [&](const std::string& db) {
    pg::ConnParams p = admin_params;
    p.dbname = db;
    return pg::Connection::Open(p);
  };
  if (!o.dry_run) PGSTACK_RETURN_IF_ERROR(LockServer(admin));
  PGSTACK_ASSIGN_OR_RETURN(Plan plan, MakePlan(admin, open_db, env, o, report));
  plan.admin = admin_params;
  if (o.dry_run) {
    ReportDryRun(plan, o.restart, report);
    return report;
  }
  Status applied = Apply(plan, admin, open_db, env, o, runner, report);
  if (!applied.ok()) {
    // A failure half way is reported with what had been done, so the operator knows the state.
    std::string done =
        report.actions.empty()
            ? "nothing had been changed"
            : fmt::format("already done: {}", fmt::join(ActionLines(report.actions), "; "));
    return Status::Failure(fmt::format("{} ({})", applied.message(), done));
  }
  return report;
}

}  // namespace pgstack::stack
