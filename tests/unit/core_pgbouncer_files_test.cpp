#include <gtest/gtest.h>

#include "pgstack/core/pgbouncer_files.h"

namespace pgstack::core {
namespace {

TEST(CoreUserlist, FindsAUsersSecretInAWholeUserlist) {
  std::string text =
      ";; written by hand\n"
      "\"other\" \"SCRAM-SHA-256$4096:c2FsdA==$a:b\"\n"
      "\n"
      "\"app\" \"s\"\"ecret\"\n"
      "\"app\" \"second\"\n"
      "\"last\" \"no newline\"";
  EXPECT_EQ(UserlistSecret(text, "app"), "s\"ecret");  // the first entry, quotes undoubled
  EXPECT_EQ(UserlistSecret(text, "other"), "SCRAM-SHA-256$4096:c2FsdA==$a:b");
  EXPECT_EQ(UserlistSecret(text, "last"), "no newline");
  EXPECT_EQ(UserlistSecret(text, "nobody"), std::nullopt);
  EXPECT_EQ(UserlistSecret(text, "ap"), std::nullopt);
  EXPECT_EQ(UserlistSecret("", "app"), std::nullopt);
  EXPECT_EQ(UserlistSecret("\"app\" \"broken\n", "app"), std::nullopt);
}

TEST(CoreUserlist, ReadsWhatRenderUserlistWrites) {
  std::string text = RenderUserlist("we\"ird", "v\"1") + RenderUserlist("b", "v2");
  EXPECT_EQ(UserlistSecret(text, "we\"ird"), "v\"1");
  EXPECT_EQ(UserlistSecret(text, "b"), "v2");
}

}  // namespace
}  // namespace pgstack::core
