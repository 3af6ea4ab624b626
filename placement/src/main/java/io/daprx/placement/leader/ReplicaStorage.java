package io.daprx.placement.leader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.ratis.protocol.RaftGroupId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The directory Ratis keeps one replica's term, vote and log in: {@code <storageDir>/<selfId>/<group uuid>/}. */
final class ReplicaStorage {

  private static final Logger LOG = LoggerFactory.getLogger(ReplicaStorage.class);

  private ReplicaStorage() {}

  /**
   * Creates the replica directory and removes the groups of earlier member lists: Ratis would otherwise load every
   * group directory it finds and run an election in each. Only directories named like a group (a UUID) go.
   */
  static void prepare(Path replicaDir, RaftGroupId keep, String selfId) {
    try {
      Files.createDirectories(replicaDir);
      List<Path> stale;
      try (Stream<Path> entries = Files.list(replicaDir)) {
        stale = entries.filter(Files::isDirectory)
            .filter(d -> isGroupDir(d) && !d.getFileName().toString().equals(keep.getUuid().toString()))
            .toList();
      }
      for (Path dir : stale) {
        LOG.info("Replica({}): removing Raft state of an earlier member list in {}", selfId, dir);
        deleteTree(dir);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Replica(" + selfId + "): cannot prepare the Raft storage directory " + replicaDir, e);
    }
  }

  private static boolean isGroupDir(Path dir) {
    try {
      UUID.fromString(dir.getFileName().toString());
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
