#include "commands.h"

namespace pgstack::cli {
namespace {

constexpr CommandSpec kCommands[] = {
    {"up", "provision and start the stack (idempotent); prints where things are", RegisterUp},
    {"down", "stop PgBouncer, then PostgreSQL; data is kept", RegisterDown},
    {"status", "what runs, where, which version", RegisterStatus},
    {"destroy", "stop the stack and delete its state directory (needs --yes)", RegisterDestroy},
    {"env", "shell export lines for the pooled endpoint (--direct: the server)", RegisterEnv},
    {"promote", "make a replica the primary; PgBouncer follows, the old primary is fenced",
     RegisterPromote},
    {"verify", "every validation of the setup plan as a named check; exit 3 if any fails",
     RegisterVerify},
    {"migrate", "the schema migration system: up, down, status, validate, plan, ...",
     RegisterMigrate},
    {"bench", "performance tests: connection pooling (pool) and JSONB indexes (jsonb)",
     RegisterBench},
    {"cache", "initialised clusters that make a cold up fast: list, clear", RegisterCache},
    {"testdb", "a migrated, isolated database per test; IntegreSQL's HTTP API (serve)",
     RegisterTestdb},
    {"help", "help on a command: pgstack help [COMMAND [ACTION]]", RegisterHelp},
    {"completion", "a shell completion script: bash, zsh or fish", RegisterCompletion},
    {"man", "the manual page (roff), generated from the same table as --help", RegisterMan},
};

}  // namespace

std::span<const CommandSpec> Commands() { return kCommands; }

bool UsesEnvironment(std::string_view command) {
  for (std::string_view none : {"cache", "help", "completion", "man"}) {
    if (command == none) return false;
  }
  return true;
}

}  // namespace pgstack::cli
