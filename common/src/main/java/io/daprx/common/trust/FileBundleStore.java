package io.daprx.common.trust;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/** The issuer-credentials directory of standalone mode: {@code ca.crt}, {@code issuer.crt}, {@code issuer.key}. */
public final class FileBundleStore implements BundleStore {

  private final Path dir;

  public FileBundleStore(Path dir) {
    this.dir = dir;
  }

  public Path dir() {
    return dir;
  }

  @Override
  public RawBundle load() {
    return new RawBundle(read(RawBundle.CA_CRT), read(RawBundle.ISSUER_CRT), read(RawBundle.ISSUER_KEY));
  }

  private String read(String name) {
    Path p = dir.resolve(name);
    if (!Files.exists(p)) {
      return null;
    }
    try {
      return Files.readString(p, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + p + ": " + e.getMessage(), e);
    }
  }

  /**
   * Writes each file through a temporary file and an atomic rename, key first and anchors last, so a
   * reader never sees a half-written file; the key is readable by the owner only.
   */
  @Override
  public void save(RawBundle bundle) {
    try {
      Files.createDirectories(dir);
      write(RawBundle.ISSUER_KEY, bundle.issuerKey(), true);
      write(RawBundle.ISSUER_CRT, bundle.issuerCrt(), false);
      write(RawBundle.CA_CRT, bundle.caCrt(), false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the CA bundle to " + dir + ": " + e.getMessage(), e);
    }
  }

  private void write(String name, String text, boolean secret) throws IOException {
    Path tmp = Files.createTempFile(dir, "." + name, ".tmp");
    try {
      try {
        // temporary files start owner-only; certificates are public, the key stays private
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(secret ? "rw-------" : "rw-r--r--"));
      } catch (UnsupportedOperationException ignored) {
        // non-POSIX file system: the directory's own permissions are all we have
      }
      Files.writeString(tmp, text, StandardCharsets.US_ASCII);
      try {
        Files.move(tmp, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  @Override
  public RawBundle saveIfAbsent(RawBundle bundle) {
    try {
      Files.createDirectories(dir);
      try (FileChannel ch = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock lock = ch.lock()) {
        RawBundle existing = load();
        if (!existing.empty()) {
          return existing;
        }
        save(bundle);
        return load();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the CA bundle to " + dir + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String describe() {
    return "directory " + dir.toAbsolutePath();
  }
}
