// DumpWaves: which parts of a dump load at once over several connections. The server's side
// (that the waves load a 200-table schema, and a plan still arrives) is diff_test.cpp and
// bench/diff-vs-migra.sh.
#include <gtest/gtest.h>

#include "pgstack/migrate/dump.h"

namespace pgstack::migrate {
namespace {

CatalogObject Obj(ObjectKind kind, std::string node, std::string parent = "",
                  std::vector<std::string> after = {}) {
  return {.kind = kind,
          .node = node,
          .schema = "public",
          .identity = kind == ObjectKind::kTable ? parent : node,
          .ddl = node + ";",
          .after = std::move(after),
          .parent = kind == ObjectKind::kTable ? "" : parent,
          .name = "",
          .shape = "",
          .columns = {},
          .labels = {}};
}

TEST(DumpWaves, TablesIndexesAndConstraintsShareAWaveEachTableOnOneLane) {
  Catalog c{.objects = {
                Obj(ObjectKind::kSchema, "s"),
                Obj(ObjectKind::kFunction, "f", "", {"s"}),
                Obj(ObjectKind::kTable, "t1", "public.a", {"s"}),
                Obj(ObjectKind::kTable, "t2", "public.b", {"s"}),
                Obj(ObjectKind::kTable, "t3", "public.c", {"s"}),
                Obj(ObjectKind::kView, "v", "", {"t1"}),
            }};
  std::vector<DumpWave> w = DumpWaves(c, 2);
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[0].lanes, std::vector<std::string>{"s;\nf;\n"});
  EXPECT_EQ(w[1].lanes, (std::vector<std::string>{"t1;\nt3;\n", "t2;\n"}));
  EXPECT_EQ(w[2].lanes, std::vector<std::string>{"v;\n"});
}

TEST(DumpWaves, AnObjectThatNeedsOneOfTheWaveStartsTheNext) {
  Catalog c{.objects = {
                Obj(ObjectKind::kTable, "t1", "public.a"),
                Obj(ObjectKind::kTable, "t2", "public.b"),
                Obj(ObjectKind::kConstraint, "pk1", "public.a", {"t1"}),
                Obj(ObjectKind::kIndex, "i2", "public.b", {"t2"}),
                Obj(ObjectKind::kIndex, "i1", "public.a", {"t1"}),
                Obj(ObjectKind::kTable, "t3", "public.c"),
            }};
  std::vector<DumpWave> w = DumpWaves(c, 2);
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0].lanes, (std::vector<std::string>{"t1;\n", "t2;\n"}));
  // public.a's constraint and index keep to one lane; t3 needs nothing of the wave.
  EXPECT_EQ(w[1].lanes, (std::vector<std::string>{"pk1;\ni1;\nt3;\n", "i2;\n"}));
}

TEST(DumpWaves, APartitionKeepsToTheLaneOfItsTreesRoot) {
  Catalog c{.objects = {
                Obj(ObjectKind::kTable, "p", "public.events"),
                Obj(ObjectKind::kTable, "t", "public.other"),
                Obj(ObjectKind::kTable, "p1", "public.events_1", {"p"}),
                Obj(ObjectKind::kTable, "u", "public.users"),
                Obj(ObjectKind::kIndex, "ip", "public.events", {"p"}),
                Obj(ObjectKind::kIndex, "ip1", "public.events_1", {"p1"}),
            }};
  std::vector<DumpWave> w = DumpWaves(c, 2);
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[0].lanes, (std::vector<std::string>{"p;\n", "t;\n"}));
  // The parent's index, which also builds one on the partition, builds where the partition is
  // made; the partition's own index needs it, and waits for the next wave.
  EXPECT_EQ(w[1].lanes, (std::vector<std::string>{"p1;\nip;\n", "u;\n"}));
  EXPECT_EQ(w[2].lanes, (std::vector<std::string>{"ip1;\n", ""}));
}

TEST(DumpWaves, OneLaneIsTheDumpInOrder) {
  Catalog c{.objects = {
                Obj(ObjectKind::kTable, "t1", "public.a"),
                Obj(ObjectKind::kIndex, "i1", "public.a", {"t1"}),
                Obj(ObjectKind::kComment, "c1", "TABLE public.a", {"t1"}),
            }};
  std::string all;
  for (const DumpWave& w : DumpWaves(c, 1)) {
    ASSERT_EQ(w.lanes.size(), 1u);
    all += w.lanes[0];
  }
  EXPECT_EQ(all, "t1;\ni1;\nc1;\n");
}

}  // namespace
}  // namespace pgstack::migrate
