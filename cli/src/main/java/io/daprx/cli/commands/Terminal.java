package io.daprx.cli.commands;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which of the standard streams are terminals, as az decides it ({@code sys.stdin.isatty()},
 * {@code sys.stderr.isatty()}): a prompt needs stdin to be one, a spinner stderr. {@code System.console()} is no answer:
 * it is null as soon as stdout is redirected, so {@code daprx ... > out.json} would refuse to prompt and hide progress.
 */
public interface Terminal {

  boolean stdinIsTerminal();

  boolean stdoutIsTerminal();

  boolean stderrIsTerminal();

  /** One line typed on stdin, without its end; null at the end of input. */
  String readLine();

  /** The process's own streams. */
  static Terminal system() {
    return SystemTerminal.INSTANCE;
  }

  /** Reads {@code /proc/self/fd/N} where there is one (Linux); elsewhere what {@code System.console()} tells. */
  final class SystemTerminal implements Terminal {
    static final SystemTerminal INSTANCE = new SystemTerminal();
    private BufferedReader stdin;

    private SystemTerminal() {}

    private static boolean isTerminal(int fd) {
      Path link = Path.of("/proc/self/fd/" + fd);
      try {
        String target = Files.readSymbolicLink(link).toString();
        return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
      } catch (IOException | UnsupportedOperationException | SecurityException e) {
        return System.console() != null;
      }
    }

    @Override
    public boolean stdinIsTerminal() {
      return isTerminal(0);
    }

    @Override
    public boolean stdoutIsTerminal() {
      return isTerminal(1);
    }

    @Override
    public boolean stderrIsTerminal() {
      return isTerminal(2);
    }

    @Override
    public synchronized String readLine() {
      if (stdin == null) {
        stdin = new BufferedReader(new InputStreamReader(System.in, Charset.defaultCharset()));
      }
      try {
        return stdin.readLine();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the answer from stdin: " + e.getMessage(), e);
      }
    }
  }
}
