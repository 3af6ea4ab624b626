package io.daprx.manager.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The native libraries a daprx jar carries for this machine, extracted once into a directory that every component JVM of
 * that jar loads them from ({@code -Djava.library.path}).
 *
 * <p>Left to themselves, Netty (gRPC's and Ratis' copies: BoringSSL and epoll), the Corretto crypto provider (AWS-LC) and
 * RocksDB each copy their library out of the jar into a temporary file of their own in every process, so no two processes
 * share a page of it: 2–10 MB of private memory per library and process, ~100 MB over an HA install (bench/README.md,
 * "Shared native libraries"). Loaded from one file, their code pages are shared like any system library's. Each of
 * them looks in {@code java.library.path} before its own jar (the Corretto provider once told to:
 * {@link #FLAGS_AFTER_PATH}).
 */
final class NativeLibraries {

  /** What makes the Corretto provider load its library from {@code java.library.path} instead of a private copy. */
  static final List<String> FLAGS_AFTER_PATH = List.of("-Dcom.amazon.corretto.crypto.provider.useExternalLib=true");

  /**
   * Where the libraries that load themselves are kept in the jar: Netty's {@code META-INF/native}, the Corretto provider's
   * package, and RocksDB's jar root. SQLite's (only the management server loads it, once) and the other platforms' are not.
   */
  private static final List<String> FOLDERS = List.of("META-INF/native/", "com/amazon/corretto/crypto/provider/", "");

  private NativeLibraries() {}

  /**
   * Extracts the jar's libraries for this machine into {@code target}, which must not exist: into a sibling first, then
   * renamed, so a directory that exists is always whole. Returns how many; none (and no directory) when the jar has none
   * for this machine's processor.
   */
  static int extract(Path jar, Path target) throws IOException {
    int machine = elfMachine(System.getProperty("os.arch", ""));
    if (machine < 0 || !System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
      return 0;
    }
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp-" + Long.toHexString(System.nanoTime()));
    int count = 0;
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      List<ZipEntry> candidates = new ArrayList<>();
      zip.stream().filter(e -> !e.isDirectory() && wanted(e.getName())).forEach(candidates::add);
      for (ZipEntry e : candidates) {
        byte[] header = new byte[20];
        try (InputStream in = zip.getInputStream(e)) {
          if (in.readNBytes(header, 0, header.length) < header.length || !isElfFor(header, machine)) {
            continue;
          }
        }
        if (count++ == 0) {
          Files.createDirectories(tmp);
        }
        try (InputStream in = zip.getInputStream(e)) {
          Files.copy(in, tmp.resolve(e.getName().substring(e.getName().lastIndexOf('/') + 1)));
        }
      }
    } catch (IOException | RuntimeException e) {
      ClassArchives.deleteTree(tmp);
      throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
    }
    if (count == 0) {
      return 0;
    }
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException raced) {
      // another server sharing the directory extracted the same jar first: use its copy
      ClassArchives.deleteTree(tmp);
      if (!Files.isDirectory(target)) {
        throw raced;
      }
    }
    return count;
  }

  /** A shared library of one of {@link #FOLDERS} (directly in it, not below). */
  static boolean wanted(String name) {
    if (!name.endsWith(".so")) {
      return false;
    }
    String folder = name.substring(0, name.lastIndexOf('/') + 1);
    return FOLDERS.contains(folder);
  }

  /** The ELF {@code e_machine} of this JVM's processor, or -1 for one we do not share libraries on. */
  static int elfMachine(String osArch) {
    return switch (osArch) {
      case "amd64", "x86_64" -> 62;
      case "aarch64" -> 183;
      default -> -1;
    };
  }

  /** Whether an ELF header is of a 64-bit little-endian System V / Linux object for {@code machine}. */
  static boolean isElfFor(byte[] h, int machine) {
    boolean elf = h[0] == 0x7f && h[1] == 'E' && h[2] == 'L' && h[3] == 'F';
    boolean lsb64 = h[4] == 2 && h[5] == 1;
    boolean linuxAbi = h[7] == 0 || h[7] == 3;
    return elf && lsb64 && linuxAbi && ((h[18] & 0xff) | (h[19] & 0xff) << 8) == machine;
  }
}
