package io.daprx.manager.store;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway PostgreSQL server on loopback, made with the machine's {@code initdb}/{@code pg_ctl}.
 * PostgreSQL refuses to run as root, so as root it runs as the {@code postgres} user.
 */
public final class PostgresServer implements AutoCloseable {

  private final Path dir;
  private final int port;
  private final Path bin;

  private PostgresServer(Path dir, int port, Path bin) {
    this.dir = dir;
    this.port = port;
    this.bin = bin;
  }

  /** The directory holding initdb and pg_ctl, or null when PostgreSQL is not installed. */
  public static Path findBin() {
    for (String candidate : new String[] {"/usr/local/bin", "/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin", "/usr/bin"}) {
      Path p = Path.of(candidate);
      if (Files.isExecutable(p.resolve("initdb")) && Files.isExecutable(p.resolve("pg_ctl"))) {
        return p;
      }
    }
    return null;
  }

  public static PostgresServer start() throws IOException, InterruptedException {
    Path bin = findBin();
    if (bin == null) {
      throw new IllegalStateException("PostgreSQL (initdb, pg_ctl) is not installed");
    }
    Path dir = Files.createTempDirectory("daprx-pg");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    PostgresServer pg = new PostgresServer(dir, port, bin);
    if (isRoot()) {
      run(List.of("chown", "-R", "postgres", dir.toString()), false);
    }
    pg.asServerUser(List.of(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-A", "trust", "-U", "postgres", "--no-sync"));
    pg.asServerUser(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-w", "-t", "60", "-l", dir.resolve("log").toString(),
        "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off", "start"));
    return pg;
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
  }

  public String user() {
    return "postgres";
  }

  private void asServerUser(List<String> command) throws IOException, InterruptedException {
    List<String> full = new ArrayList<>();
    if (isRoot()) {
      full.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    full.addAll(command);
    run(full, true);
  }

  private static void run(List<String> command, boolean check) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(120, TimeUnit.SECONDS) || (check && p.exitValue() != 0)) {
      throw new IllegalStateException("'" + String.join(" ", command) + "' failed: " + out);
    }
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  @Override
  public void close() throws Exception {
    asServerUser(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate", "-w", "stop"));
    run(List.of("rm", "-rf", dir.toString()), false);
  }
}
