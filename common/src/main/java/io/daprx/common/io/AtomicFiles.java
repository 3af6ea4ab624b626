package io.daprx.common.io;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Files replaced whole: readers (watchers, a restarted server) see the old content or the new, never half of it. */
public final class AtomicFiles {

  private AtomicFiles() {}

  /**
   * Writes {@code bytes} beside {@code file} under a hidden temporary name, then renames it over {@code file} in one step
   * (a plain replace where the file system cannot rename atomically). No fsync: the case to survive is the writing
   * process dying, and the page cache outlives it.
   */
  public static void replace(Path file, byte[] bytes) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
    try {
      Files.write(tmp, bytes);
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
