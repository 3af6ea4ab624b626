package io.daprx.placement.leader;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.ratis.protocol.RaftGroup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The group every replica derives on its own, where its state lives, and which interface it listens on. */
class PlacementGroupTest {

  @TempDir
  Path dir;

  @Test
  void replicasAgreeOnTheGroupWhateverTheOrderOfTheList() {
    RaftGroup a = PlacementGroup.of(RatisOptions.parseInitialCluster("p0=h0:8201,p1=h1:8201,p2=h2:8201"));
    RaftGroup b = PlacementGroup.of(RatisOptions.parseInitialCluster("p2=h2:8201,p0=h0:8201,p1=h1:8201"));

    assertThat(a.getGroupId()).isEqualTo(b.getGroupId());
    assertThat(a.getPeers()).extracting(p -> p.getId() + "@" + p.getAddress())
        .containsExactlyInAnyOrder("p0@h0:8201", "p1@h1:8201", "p2@h2:8201");
  }

  @Test
  void anotherMemberListIsAnotherGroup() {
    RaftGroup three = PlacementGroup.of(RatisOptions.parseInitialCluster("p0=h0:8201,p1=h1:8201,p2=h2:8201"));
    RaftGroup moved = PlacementGroup.of(RatisOptions.parseInitialCluster("p0=h0:8201,p1=h1:8201,p2=h9:8201"));
    RaftGroup five = PlacementGroup.of(RatisOptions.parseInitialCluster("p0=h0:8201,p1=h1:8201,p2=h2:8201,p3=h3:8201,p4=h4:8201"));

    assertThat(moved.getGroupId()).isNotEqualTo(three.getGroupId());
    assertThat(five.getGroupId()).isNotEqualTo(three.getGroupId());
  }

  @Test
  void storageOfEarlierMemberListsIsRemovedAndNothingElse() throws Exception {
    RaftGroup group = PlacementGroup.of(RatisOptions.parseInitialCluster("p0=h0:8201"));
    Path current = Files.createDirectories(dir.resolve(group.getGroupId().getUuid().toString()).resolve("current"));
    Path stale = Files.createDirectories(dir.resolve("0b7e3c3e-8d3f-4c55-9a55-0a6b2a3f6c11").resolve("current"));
    Files.writeString(stale.resolve("log_0-0"), "x");
    Path other = Files.createDirectories(dir.resolve("removed-groups"));

    ReplicaStorage.prepare(dir, group.getGroupId(), "p0");

    assertThat(current).exists();
    assertThat(other).exists();
    assertThat(stale.getParent()).doesNotExist();
  }

  @Test
  void loopbackAddressedReplicasListenOnLoopbackOnly() {
    assertThat(RatisSettings.bindHost("127.0.0.1")).isEqualTo("127.0.0.1");
    assertThat(RatisSettings.bindHost("localhost")).isEqualTo("localhost");
    assertThat(RatisSettings.bindHost("::1")).isEqualTo("::1");
    assertThat(RatisSettings.bindHost("dapr-placement-server-0.dapr-placement-server.dapr-system.svc")).isNull();
    assertThat(RatisSettings.bindHost("10.0.0.7")).isNull();
  }
}
