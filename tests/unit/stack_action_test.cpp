// What `up` reports it did: one word per verb, the sentence people read, and the JSON scripts
// read, whose "action" is the verb itself, never a word taken out of the sentence.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "pgstack/stack/action.h"

namespace pgstack::stack {
namespace {

TEST(Action, EveryVerbHasAWordOfItsOwn) {
  std::set<std::string> words;
  for (int i = 0; i < kActionVerbCount; ++i) {
    std::string word(VerbWord(static_cast<ActionVerb>(i)));
    EXPECT_FALSE(word.empty()) << "verb " << i;
    EXPECT_EQ(word.find(' '), std::string::npos) << word;
    EXPECT_TRUE(words.insert(word).second) << word << " names two verbs";
  }
}

TEST(Action, TheLineIsTheVerbThenTheDetail) {
  EXPECT_EQ(ActionLine({ActionVerb::kStarted, "PostgreSQL on 127.0.0.1:5432"}),
            "started PostgreSQL on 127.0.0.1:5432");
  EXPECT_EQ(ActionLines({{ActionVerb::kSet, "the password of role app"},
                         {ActionVerb::kReloaded, "PgBouncer (userlist.txt changed)"}}),
            (std::vector<std::string>{"set the password of role app",
                                      "reloaded PgBouncer (userlist.txt changed)"}));
}

// A detail that opens with another verb's word: its first word is not the action.
TEST(Action, TheJsonActionIsTheVerbNotTheDetailsFirstWord) {
  auto json = ActionsJson({{ActionVerb::kPut, "back 2 of 3 settings ALTER SYSTEM had changed"},
                           {ActionVerb::kSet, "restarted, reloaded"},
                           {ActionVerb::kReloaded, ""}});
  ASSERT_EQ(json.size(), 3u);
  EXPECT_EQ(json[0]["action"], "put");
  EXPECT_EQ(json[0]["detail"], "back 2 of 3 settings ALTER SYSTEM had changed");
  EXPECT_EQ(json[1]["action"], "set");
  EXPECT_EQ(json[1]["detail"], "restarted, reloaded");
  EXPECT_EQ(json[2]["action"], "reloaded");
  EXPECT_EQ(json[2]["detail"], "");
  EXPECT_TRUE(ActionsJson({}).is_array());
}

}  // namespace
}  // namespace pgstack::stack
