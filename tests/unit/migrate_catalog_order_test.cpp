#include <gtest/gtest.h>

#include "pgstack/migrate/catalog.h"

namespace pgstack::migrate {
namespace {

CatalogObject Obj(ObjectKind kind, std::string node, std::string identity,
                  std::vector<std::string> after = {}) {
  return {.kind = kind,
          .node = std::move(node),
          .schema = "public",
          .identity = std::move(identity),
          .ddl = "",
          .after = std::move(after)};
}

std::vector<std::string> Nodes(const std::vector<CatalogObject>& objects) {
  std::vector<std::string> out;
  for (const auto& o : objects) out.push_back(o.node);
  return out;
}

TEST(CatalogOrder, DependenciesFirstThenKindSchemaAndName) {
  std::vector<CatalogObject> objects{
      Obj(ObjectKind::kView, "v2", "public.v2", {"v1"}),
      Obj(ObjectKind::kView, "v1", "public.v1", {"t"}),
      Obj(ObjectKind::kTable, "t", "public.t", {"f"}),
      Obj(ObjectKind::kFunction, "f", "public.f()"),
      Obj(ObjectKind::kTable, "a", "public.a"),
      Obj(ObjectKind::kSchema, "s", "public"),
  };
  OrderObjects(objects);
  EXPECT_EQ(Nodes(objects), (std::vector<std::string>{"s", "f", "a", "t", "v1", "v2"}));
}

TEST(CatalogOrder, AFunctionThatNeedsATableComesAfterIt) {
  std::vector<CatalogObject> objects{
      Obj(ObjectKind::kFunction, "f", "public.f()", {"t"}),
      Obj(ObjectKind::kTable, "t", "public.t"),
  };
  OrderObjects(objects);
  EXPECT_EQ(Nodes(objects), (std::vector<std::string>{"t", "f"}));
}

TEST(CatalogOrder, ACycleIsBrokenAtItsFirstObjectAndEveryObjectComesOutOnce) {
  std::vector<CatalogObject> objects{
      Obj(ObjectKind::kTable, "t", "public.t", {"f"}),
      Obj(ObjectKind::kFunction, "f", "public.f()", {"t"}),
      Obj(ObjectKind::kIndex, "i", "public.i", {"t", "unknown"}),
  };
  OrderObjects(objects);
  EXPECT_EQ(Nodes(objects), (std::vector<std::string>{"f", "t", "i"}));
}

TEST(CatalogOrder, TheSameObjectsInAnyOrderComeOutTheSame) {
  std::vector<CatalogObject> a{Obj(ObjectKind::kTable, "x", "public.x"),
                               Obj(ObjectKind::kTable, "y", "public.y"),
                               Obj(ObjectKind::kIndex, "i", "public.i", {"y"})};
  std::vector<CatalogObject> b{a[2], a[1], a[0]};
  OrderObjects(a);
  OrderObjects(b);
  EXPECT_EQ(Nodes(a), Nodes(b));
}

}  // namespace
}  // namespace pgstack::migrate
