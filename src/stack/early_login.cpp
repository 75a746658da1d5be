#include "early_login.h"

#include <system_error>

#include "pgstack/core/files.h"
#include "pgstack/core/pgbouncer_files.h"
#include "verifier_memo.h"

namespace pgstack::stack {
namespace {

bool FilesAsWritten(const StatePaths& paths, const std::string& ini,
                    const std::string& verifier_memo, const pg::ConnParams& pooled) {
  auto on_disk = core::ReadFileIfExists(paths.pgbouncer_ini);
  if (!on_disk.ok() || !*on_disk || **on_disk != ini) return false;
  auto userlist = core::ReadFileIfExists(paths.userlist);
  if (!userlist.ok() || !*userlist) return false;
  auto secret = core::UserlistSecret(**userlist, pooled.user);
  return secret && **userlist == core::RenderUserlist(pooled.user, *secret) &&
         VerifierMemo(verifier_memo).Vouches(*secret, pooled.password);
}

}  // namespace

std::optional<EarlyLogin> EarlyLogin::StartIfReady(const StatePaths& paths, const std::string& ini,
                                                   const std::string& verifier_memo,
                                                   const pg::ConnParams& pooled) {
  if (!FilesAsWritten(paths, ini, verifier_memo, pooled)) return std::nullopt;
  try {
    return EarlyLogin(std::async(std::launch::async, [pooled] {
      auto c = pg::Connection::Open(pooled);
      return c.ok() ? c->Run("SELECT 1") : c.status();
    }));
  } catch (const std::system_error&) {
    return std::nullopt;  // no thread: the login runs later, in turn
  }
}

EarlyLogin::~EarlyLogin() {
  if (outcome_.valid()) outcome_.wait();
}

Status EarlyLogin::Wait() { return outcome_.valid() ? outcome_.get() : Status::Failure("used"); }

}  // namespace pgstack::stack
