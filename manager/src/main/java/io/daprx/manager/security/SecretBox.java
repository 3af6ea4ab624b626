package io.daprx.manager.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts protected settings and stored credentials at rest (AES-256-GCM). The key lives in its own
 * owner-only file beside, not inside, the database, so a copy of the database alone reveals nothing.
 */
public final class SecretBox {

  private static final SecureRandom RANDOM = new SecureRandom();
  private final SecretKeySpec key;

  private SecretBox(byte[] key) {
    this.key = new SecretKeySpec(key, "AES");
  }

  /** Loads the key file, creating it (mode 0600) on first use. */
  public static SecretBox open(Path keyFile) {
    try {
      Files.createDirectories(keyFile.getParent());
      if (!Files.exists(keyFile)) {
        byte[] k = new byte[32];
        RANDOM.nextBytes(k);
        try {
          Files.createFile(keyFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
          Files.writeString(keyFile, Base64.getEncoder().encodeToString(k));
        } catch (FileAlreadyExistsException raced) {
          // another server created it first: use theirs
        }
      }
      byte[] k = Base64.getDecoder().decode(Files.readString(keyFile).trim());
      if (k.length != 32) {
        throw new IllegalStateException("the key file " + keyFile + " is damaged (not 32 bytes); restore it from a backup");
      }
      return new SecretBox(k);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create the key file " + keyFile + ": " + e.getMessage(), e);
    }
  }

  /**
   * Names this key without revealing it (a SHA-256 of the key, shortened): recorded in the store, so a server that finds
   * another key, or none, knows the store's protected settings were sealed with one it does not have.
   */
  public String fingerprint() {
    try {
      byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
      return "sha256:" + java.util.HexFormat.of().formatHex(d, 0, 16);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  public String seal(String plain) {
    try {
      byte[] iv = new byte[12];
      RANDOM.nextBytes(iv);
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
      byte[] ct = c.doFinal(plain.getBytes(StandardCharsets.UTF_8));
      byte[] out = new byte[iv.length + ct.length];
      System.arraycopy(iv, 0, out, 0, iv.length);
      System.arraycopy(ct, 0, out, iv.length, ct.length);
      return Base64.getEncoder().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("encryption failed", e);
    }
  }

  public String open(String sealed) {
    try {
      byte[] in = Base64.getDecoder().decode(sealed);
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, in, 0, 12));
      return new String(c.doFinal(in, 12, in.length - 12), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalStateException("a stored secret cannot be decrypted with this server's key file (was the key file replaced?)", e);
    }
  }
}
