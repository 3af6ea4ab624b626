package io.daprx.sentry.jwt;

import io.daprx.common.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/** Standalone mode: {@code jwt.key} and {@code jwks.json} in the issuer-credentials directory, beside the CA's files. */
public final class FileJwtKeyStore implements JwtKeyStore {

  private final Path dir;
  private final String keyFile;
  private final String jwksFile;

  public FileJwtKeyStore(Path dir, String keyFile, String jwksFile) {
    this.dir = dir;
    this.keyFile = keyFile;
    this.jwksFile = jwksFile;
  }

  @Override
  public JwtKeyMaterial load() {
    return new JwtKeyMaterial(read(keyFile), read(jwksFile));
  }

  private String read(String name) {
    Path p = dir.resolve(name);
    try {
      return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : null;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + p + ": " + e.getMessage(), e);
    }
  }

  /**
   * The JWKS first, then the key: a reader in between sees the old key with a JWKS that still holds it (a rotated JWKS
   * keeps the previous key), never a key its JWKS does not publish.
   */
  @Override
  public void save(JwtKeyMaterial m) {
    try {
      Files.createDirectories(dir);
      write(jwksFile, m.jwksJson(), false);
      write(keyFile, m.signingKeyPem(), true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the JWT signing key to " + dir + ": " + e.getMessage(), e);
    }
  }

  private void write(String name, String text, boolean secret) throws IOException {
    Path file = dir.resolve(name);
    AtomicFiles.replace(file, text.getBytes(StandardCharsets.UTF_8));
    try {
      // AtomicFiles' temporary file starts owner-only; the JWKS is public
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(secret ? "rw-------" : "rw-r--r--"));
    } catch (UnsupportedOperationException ignored) {
      // non-POSIX file system: the directory's own permissions are all we have
    }
  }

  @Override
  public JwtKeyMaterial saveIfAbsent(JwtKeyMaterial m) {
    try {
      Files.createDirectories(dir);
      // a lock of its own: the CA's (.lock) is held by the same process while it opens the CA
      try (FileChannel ch = FileChannel.open(dir.resolve(".jwt.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock lock = ch.lock()) {
        JwtKeyMaterial existing = load();
        if (existing.signingKeyPem() != null) {
          return existing;
        }
        save(m);
        return load();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the JWT signing key to " + dir + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String describe() {
    return "directory " + dir.toAbsolutePath() + " (" + keyFile + ", " + jwksFile + ")";
  }
}
