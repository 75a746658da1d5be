#include "pgstack/stack/provision.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "pgstack/core/scram.h"
#include "pgstack/pg/error_class.h"
#include "verifier_memo.h"

namespace pgstack::stack {
namespace {

// Runs (or, in a dry run, only records) one statement; `shown` is what may be printed.
class Applier {
 public:
  Applier(ProvisionResult& r, const ProvisionOptions& o) : r_(r), o_(o) {}
  Status Apply(pg::Connection& c, const std::string& sql, const std::string& shown, Action action) {
    r_.statements.push_back(shown);
    r_.actions.push_back(std::move(action));
    if (o_.dry_run) return Status::Ok();
    Status s = c.Run(sql);
    if (s.ok()) return s;
    r_.statements.pop_back();  // not done: a caller that recovers must not report it
    r_.actions.pop_back();
    return s.WithContext(shown);
  }

 private:
  ProvisionResult& r_;
  const ProvisionOptions& o_;
};

// A CREATE that failed because the object appeared after the look that found none: an `up`
// killed during its CREATE leaves its backend to finish it, and a concurrent `up` or person may
// create it too. It is there now, to be checked as one that existed.
bool AppearedMeanwhile(const Status& created) {
  pg::ErrorClass why = pg::Classify(created);
  return why == pg::ErrorClass::kUniqueViolation || why == pg::ErrorClass::kDuplicateObject;
}

Status EnsureRole(pg::Connection& admin, const core::PostgresConfig& cfg,
                  const ProvisionOptions& opts, Applier& apply, ProvisionResult& r) {
  // pg_authid holds the verifier; only a superuser reads it. Others see pg_roles' mask, and
  // then the verifier cannot be compared, so it is set anew.
  auto found =
      admin.Exec("SELECT rolpassword, rolcanlogin FROM pg_authid WHERE rolname = $1", {cfg.user});
  bool readable = found.ok();
  if (!readable) {
    if (pg::Classify(found.status()) != pg::ErrorClass::kInsufficientPrivilege)
      return found.status();
    found = admin.Exec("SELECT NULL AS rolpassword, rolcanlogin FROM pg_roles WHERE rolname = $1",
                       {cfg.user});
    if (!found.ok()) return found.status();
  }
  std::string role = admin.QuoteIdent(cfg.user);
  bool exists = found->rows() == 1;
  std::string current = exists ? std::string(found->get(0, "rolpassword")) : "";
  VerifierMemo memo(opts.dry_run ? "" : opts.verifier_memo);
  bool vouched = exists && readable && memo.Vouches(current, cfg.password);
  if (vouched || (exists && readable && core::ScramVerifierMatches(current, cfg.password))) {
    r.verifier = current;
    // Only a cache: when it cannot be written, the next run checks the slow way again.
    if (!vouched) (void)memo.Remember(current, cfg.password);
    if (found->get(0, "rolcanlogin") != "t") {
      PGSTACK_RETURN_IF_ERROR(
          apply.Apply(admin, "ALTER ROLE " + role + " LOGIN", "ALTER ROLE " + role + " LOGIN",
                      {ActionVerb::kAllowed, "role " + cfg.user + " to log in"}));
    }
    return Status::Ok();
  }
  if (!opts.verifier.empty() && core::ScramVerifierMatches(opts.verifier, cfg.password)) {
    r.verifier = opts.verifier;
  } else {
    PGSTACK_ASSIGN_OR_RETURN(r.verifier, admin.ScramVerifier(cfg.user, cfg.password));
  }
  std::string verb = exists ? "ALTER" : "CREATE";
  std::string sql =
      fmt::format("{} ROLE {} LOGIN PASSWORD {}", verb, role, admin.QuoteLiteral(r.verifier));
  std::string shown =
      fmt::format("{} ROLE {} LOGIN PASSWORD '<SCRAM-SHA-256 verifier>'", verb, role);
  Status applied = apply.Apply(admin, sql, shown,
                               exists ? Action{ActionVerb::kSet, "the password of role " + cfg.user}
                                      : Action{ActionVerb::kCreated, "role " + cfg.user});
  if (!exists && AppearedMeanwhile(applied)) return EnsureRole(admin, cfg, opts, apply, r);
  PGSTACK_RETURN_IF_ERROR(applied);
  (void)memo.Remember(r.verifier, cfg.password);  // a cache, as above
  return Status::Ok();
}

// The seed, renamed and given its owner in one transaction: what CREATE DATABASE ... OWNER and
// the CREATE EXTENSIONs that follow would make, without their writes.
Status TakeSeed(pg::Connection& admin, const core::PostgresConfig& cfg, const std::string& seed,
                Applier& apply) {
  std::string name = admin.QuoteIdent(cfg.database);
  std::string sql = fmt::format("ALTER DATABASE {} RENAME TO {}; ALTER DATABASE {} OWNER TO {}",
                                admin.QuoteIdent(seed), name, name, admin.QuoteIdent(cfg.user));
  std::string with = cfg.extensions.empty()
                         ? ""
                         : fmt::format(" with extensions {}", fmt::join(cfg.extensions, ", "));
  return apply.Apply(admin, sql, sql,
                     {ActionVerb::kCreated, fmt::format("database {} owned by {}{} (from the seed)",
                                                        cfg.database, cfg.user, with)});
}

// True when it created the database (or, in a dry run, would have).
Result<bool> EnsureDatabase(pg::Connection& admin, const core::PostgresConfig& cfg,
                            const std::string& seed, Applier& apply) {
  // The configured database first, then the seed, if the cluster has one.
  PGSTACK_ASSIGN_OR_RETURN(
      auto db,
      admin.Exec("SELECT datname = $1 AS wanted, "
                 "has_database_privilege($2, datname, 'CREATE,CONNECT,TEMPORARY') AS granted "
                 "FROM pg_database WHERE datname IN ($1, $3) ORDER BY datname = $1 DESC",
                 {cfg.database, cfg.user, seed.empty() ? cfg.database : seed}));
  std::string name = admin.QuoteIdent(cfg.database);
  std::string role = admin.QuoteIdent(cfg.user);
  if (db.rows() > 0 && db.get(0, "wanted") == "f") {
    PGSTACK_RETURN_IF_ERROR(TakeSeed(admin, cfg, seed, apply));
    return true;
  }
  if (db.rows() == 0) {
    std::string sql = fmt::format("CREATE DATABASE {} OWNER {}", name, role);
    Status created = apply.Apply(
        admin, sql, sql,
        {ActionVerb::kCreated, fmt::format("database {} owned by {}", cfg.database, cfg.user)});
    if (AppearedMeanwhile(created)) {
      PGSTACK_RETURN_IF_ERROR(EnsureDatabase(admin, cfg, "", apply).status());
      return false;
    }
    PGSTACK_RETURN_IF_ERROR(created);
    return true;
  }
  if (db.get(0, "granted") != "t") {
    std::string sql = fmt::format("GRANT ALL PRIVILEGES ON DATABASE {} TO {}", name, role);
    PGSTACK_RETURN_IF_ERROR(
        apply.Apply(admin, sql, sql,
                    {ActionVerb::kGranted,
                     fmt::format("{} all privileges on database {}", cfg.user, cfg.database)}));
  }
  return false;
}

// Since PostgreSQL 15 only the database owner may create in schema public by default; the
// role is granted CREATE explicitly so migrations work even where it does not own the database.
Status EnsureSchemaAndExtensions(pg::Connection& db, const core::PostgresConfig& cfg,
                                 Applier& apply, bool database_exists) {
  std::string role = db.QuoteIdent(cfg.user);
  // A database still to be created (a dry run) will be the role's, and so its schema public
  // (owned by pg_database_owner): the real run will find no grant to make, so none is listed.
  bool can_create = !database_exists;
  std::vector<std::string> have;
  if (database_exists) {
    PGSTACK_ASSIGN_OR_RETURN(
        auto res,
        db.Exec("SELECT has_schema_privilege($1, 'public', 'CREATE,USAGE') AS can_create, "
                "(SELECT string_agg(extname, ',') FROM pg_extension) AS extensions",
                {cfg.user}));
    can_create = res.get(0, "can_create") == "t";
    std::string list(res.get(0, "extensions"));
    for (size_t start = 0; start <= list.size();) {
      size_t comma = list.find(',', start);
      if (comma == std::string::npos) comma = list.size();
      if (comma > start) have.push_back(list.substr(start, comma - start));
      start = comma + 1;
    }
  }
  if (!can_create) {
    std::string sql = "GRANT USAGE, CREATE ON SCHEMA public TO " + role;
    PGSTACK_RETURN_IF_ERROR(
        apply.Apply(db, sql, sql, {ActionVerb::kGranted, cfg.user + " CREATE on schema public"}));
  }
  for (const auto& ext : cfg.extensions) {
    if (std::find(have.begin(), have.end(), ext) != have.end()) continue;
    std::string sql = "CREATE EXTENSION IF NOT EXISTS " + db.QuoteIdent(ext);
    // IF NOT EXISTS does not cover a CREATE that commits meanwhile (a killed `up`'s backend
    // finishing its own): the unique violation comes after that one committed, so it is there.
    Status created = apply.Apply(db, sql, sql, {ActionVerb::kCreated, "extension " + ext});
    if (!AppearedMeanwhile(created)) PGSTACK_RETURN_IF_ERROR(created);
  }
  return Status::Ok();
}

}  // namespace

Result<ProvisionResult> Provision(
    pg::Connection& admin, const std::function<Result<pg::Connection>(const std::string&)>& open_db,
    const core::PostgresConfig& cfg, const ProvisionOptions& opts) {
  if (cfg.password.empty()) return Status::InvalidInput("no password for role " + cfg.user);
  ProvisionResult r;
  Applier apply(r, opts);
  PGSTACK_RETURN_IF_ERROR(EnsureRole(admin, cfg, opts, apply, r));
  PGSTACK_ASSIGN_OR_RETURN(bool created_db, EnsureDatabase(admin, cfg, opts.seed, apply));
  // In a dry run a database that would be created cannot be opened; list what would follow.
  if (opts.dry_run && created_db) {
    pg::Connection& any = admin;
    PGSTACK_RETURN_IF_ERROR(EnsureSchemaAndExtensions(any, cfg, apply, false));
    return r;
  }
  // An admin connection already in the database (a warm local `up`) spares a second backend.
  if (admin.database() == cfg.database) {
    PGSTACK_RETURN_IF_ERROR(EnsureSchemaAndExtensions(admin, cfg, apply, true));
    return r;
  }
  PGSTACK_ASSIGN_OR_RETURN(auto db, open_db(cfg.database));
  PGSTACK_RETURN_IF_ERROR(EnsureSchemaAndExtensions(db, cfg, apply, true));
  return r;
}

}  // namespace pgstack::stack
