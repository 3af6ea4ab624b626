package io.daprx.manager.local;

import io.daprx.common.io.AtomicFiles;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * {@code <stateDir>/<group>/pods.json}: what a later supervisor needs to adopt a group's processes. Written whole
 * through a temporary file and a rename, so a reader (or a restart after kill -9) never sees half a file.
 */
final class StateFile {

  static final String FILE_NAME = "pods.json";

  /** The desired specs, and the pods as they are (mid-rollout a pod may still run an older spec). */
  record GroupState(List<ProcessSpec> desired, List<PodRecord> pods) {
    GroupState {
      desired = desired == null ? List.of() : List.copyOf(desired);
      pods = pods == null ? List.of() : List.copyOf(pods);
    }
  }

  /**
   * One pod.
   *
   * @param pid null while no process runs (in back-off)
   * @param processStart the OS start instant of {@code pid}; with the pid it identifies the process
   */
  record PodRecord(ProcessSpec spec, Long pid, Instant processStart, int restarts, Instant createdAt,
      String lastExitReason) {}

  private static final ObjectMapper JSON = new ObjectMapper()
      .registerModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .enable(SerializationFeature.INDENT_OUTPUT)
      // a newer daprx may add fields; an older one adopting its processes should not fail on them
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private StateFile() {}

  static Path path(Path stateDir, String group) {
    return stateDir.resolve(group).resolve(FILE_NAME);
  }

  static Optional<GroupState> read(Path file) {
    try {
      return Optional.of(JSON.readValue(Files.readAllBytes(file), GroupState.class));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  static void write(Path file, GroupState state) {
    try {
      AtomicFiles.replace(file, JSON.writeValueAsBytes(state));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /** Removes the group's state file and its directory (if nothing else is in it). */
  static void delete(Path file) {
    try {
      Files.deleteIfExists(file);
      try {
        Files.deleteIfExists(file.getParent());
      } catch (java.nio.file.DirectoryNotEmptyException ignored) {
        // someone keeps other files there (logs, say); the pods are gone, which is what matters
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + file + ": " + e.getMessage(), e);
    }
  }
}
