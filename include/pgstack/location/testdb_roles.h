// The roles `pgstack testdb` makes, as the stack that renders pg_hba must know them: each test
// database, and each template while it is built, has a login role of the same name, a member of
// kTestdbGroupRole. pg_hba lets a member into the database of its own name and nowhere else, so
// one test's credentials reach neither another test's database nor the application's.
#pragma once

namespace pgstack::location {

inline constexpr const char* kTestdbGroupRole = "pgstack_testdb_roles";

}  // namespace pgstack::location
