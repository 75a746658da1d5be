#include "commands.h"

namespace pgstack::cli {
namespace {

constexpr CommandSpec kCommands[] = {
    {"up", "provision and start the stack (idempotent); prints where things are", ReadsEnv::kYes,
     RegisterUp},
    {"down", "stop PgBouncer, then PostgreSQL; data is kept", ReadsEnv::kYes, RegisterDown},
    {"status", "what runs, where, which version", ReadsEnv::kYes, RegisterStatus},
    {"destroy", "stop the stack and delete its state directory (needs --yes)", ReadsEnv::kYes,
     RegisterDestroy},
    {"env", "shell export lines for the pooled endpoint (--direct: the server)", ReadsEnv::kYes,
     RegisterEnv},
    {"promote", "make a replica the primary; PgBouncer follows, the old primary is fenced",
     ReadsEnv::kYes, RegisterPromote},
    {"verify", "every validation of the setup plan as a named check; exit 3 if any fails",
     ReadsEnv::kYes, RegisterVerify},
    {"migrate", "the schema migration system: up, down, status, validate, plan, ...",
     ReadsEnv::kYes, RegisterMigrate},
    {"bench", "performance tests: connection pooling (pool) and JSONB indexes (jsonb)",
     ReadsEnv::kYes, RegisterBench},
    {"cache", "initialised clusters that make a cold up fast: list, clear", ReadsEnv::kNo,
     RegisterCache},
    {"testdb", "a migrated, isolated database per test; IntegreSQL's HTTP API (serve)",
     ReadsEnv::kYes, RegisterTestdb},
    {"help", "help on a command: pgstack help [COMMAND [ACTION]]", ReadsEnv::kNo, RegisterHelp},
    {"completion", "a shell completion script: bash, zsh or fish", ReadsEnv::kNo,
     RegisterCompletion},
    {"man", "the manual page (roff), generated from the same table as --help", ReadsEnv::kNo,
     RegisterMan},
};

}  // namespace

std::span<const CommandSpec> Commands() { return kCommands; }

}  // namespace pgstack::cli
