// The replica pieces that need no server: which replicas `up` plans, what a replica's standby
// configuration says, the hba lines, the read pool entry, and state.json's replica fields.
#include <gtest/gtest.h>

#include "../../src/stack/cluster.h"
#include "../../src/stack/replicas.h"
#include "pgstack/core/config.h"
#include "pgstack/location/environment.h"
#include "pgstack/location/stack_state.h"
#include "pgstack/stack/pgbouncer_config.h"
#include "shipped_config.h"

namespace pgstack {
namespace {

TEST(ReplicaPlan, KeepsTheFirstAndAddsNewNodesOnFreePorts) {
  std::vector<core::PortLock> held;
  std::vector<location::ReplicaState> current = {{.node = 1, .port = 7001}};
  auto two = stack::PlanReplicas(current, 0, 2, "127.0.0.1", held);
  ASSERT_TRUE(two.ok()) << two.status().message();
  ASSERT_EQ(two->size(), 2u);
  EXPECT_EQ((*two)[0].port, 7001);
  EXPECT_EQ((*two)[1].node, 2);
  EXPECT_GT((*two)[1].port, 0);
  EXPECT_EQ(held.size(), 1u);
  // nullopt keeps what there is; 0 removes all; after a promote node 0 is a replica and the
  // primary's node is never reused.
  EXPECT_EQ(stack::PlanReplicas(current, 0, std::nullopt, "127.0.0.1", held)->size(), 1u);
  EXPECT_TRUE(stack::PlanReplicas(current, 0, 0, "127.0.0.1", held)->empty());
  auto after_promote = stack::PlanReplicas({{.node = 0, .port = 7000}}, 1, 2, "127.0.0.1", held);
  ASSERT_TRUE(after_promote.ok());
  EXPECT_EQ((*after_promote)[1].node, 2);
}

TEST(ReplicaPlan, MoreThanTheWalSendersIsBadInputNamingTheSetting) {
  std::vector<core::PortLock> held;
  auto r = stack::PlanReplicas({}, 0, stack::kMaxWalSenders + 1, "127.0.0.1", held);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidInput);
  EXPECT_NE(r.status().message().find("max_wal_senders"), std::string::npos);
  EXPECT_TRUE(held.empty());
}

TEST(ReplicaConf, PointsAtThePrimaryWithAPassfileNeverAPassword) {
  core::Environment env = ShippedEnvironment();
  location::StatePaths paths("/tmp/x y");
  std::string conf = stack::RenderReplicaConf(env, paths, 5999, 2);
  EXPECT_NE(conf.find("port=5999"), std::string::npos) << conf;
  EXPECT_NE(conf.find("passfile=''/tmp/x y/replicas/pgpass''"), std::string::npos) << conf;
  EXPECT_NE(conf.find("primary_slot_name = 'pgstack_replica_2'"), std::string::npos) << conf;
  EXPECT_EQ(conf.find("password="), std::string::npos) << conf;
}

TEST(ReplicaConf, HbaAndPgConfGainReplicationOnlyWithReplicas) {
  core::Environment env = ShippedEnvironment();
  location::StatePaths paths("/tmp/s");
  EXPECT_EQ(stack::RenderHba(env, "postgres").find("replication"), std::string::npos);
  EXPECT_EQ(stack::RenderPgConf(env, paths, 5999).find("max_slot_wal_keep_size"),
            std::string::npos);
  env.replication.replicas = 1;
  std::string hba = stack::RenderHba(env, "postgres");
  EXPECT_NE(hba.find("host    replication  pgstack_replication  127.0.0.1/32  scram-sha-256"),
            std::string::npos)
      << hba;
  EXPECT_EQ(hba.find("trust"), std::string::npos);
  EXPECT_NE(stack::RenderPgConf(env, paths, 5999).find("max_slot_wal_keep_size = '1GB'"),
            std::string::npos);
}

TEST(ReplicaState, NodesAndPrimaryRoundTripThroughStateJson) {
  location::StatePaths paths("/tmp/s");
  EXPECT_EQ(paths.Node(0).data, "/tmp/s/data");
  EXPECT_EQ(paths.Node(3).data, "/tmp/s/replicas/3/data");
  EXPECT_EQ(paths.Node(3).pg_conf, "/tmp/s/replicas/3/data/conf.d/pgstack.conf");
  EXPECT_EQ(paths.Node(3).run, paths.run);
  EXPECT_TRUE(location::IsStateDirEntry("replicas"));
}

}  // namespace
}  // namespace pgstack
