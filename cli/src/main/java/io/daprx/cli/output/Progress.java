package io.daprx.cli.output;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * az's spinner for long-running operations ({@code humanfriendly.Spinner} on stderr): each frame is
 * {@code ESC[K - Running ..} followed by a carriage return, so the next frame or the first line of output
 * overwrites it, and {@link #close()} erases it with {@code ESC[K}. The glyph turns {@code - \ | /}.
 *
 * <p>Two ways to drive it: {@link #start} draws a frame each time the caller calls {@link #tick()} (e.g. once per
 * poll of the operation), no threads involved; {@link #startAuto} ticks from one daemon thread every
 * {@code interval} (az redraws at most every 0.2 s) until {@link #close()}. When disabled every method does
 * nothing, so callers need no branches. Thread-safe.
 */
public final class Progress implements AutoCloseable {

  /** az's redraw interval. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofMillis(200);

  private static final String ERASE_LINE = "\u001b[K";
  private static final String[] GLYPHS = {"-", "\\", "|", "/"};

  private final PrintWriter err;
  private final boolean enabled;
  private final String message;
  private ScheduledExecutorService ticker;
  private int frame;
  private boolean closed;

  private Progress(PrintWriter err, boolean enabled, String message) {
    this.err = err;
    this.enabled = enabled;
    this.message = message;
  }

  /**
   * Whether a spinner belongs on this run, as az decides: stderr is a terminal (stdout may be redirected: the spinner
   * never mixes with the result), the output is not {@code none}, and {@code --only-show-errors} is off.
   */
  public static boolean enabledFor(boolean stderrIsTerminal, OutputFormat format, boolean onlyShowErrors) {
    return stderrIsTerminal && format != OutputFormat.NONE && !onlyShowErrors;
  }

  /** Draws the first frame (when enabled); later frames are drawn by {@link #tick()}. */
  public static Progress start(PrintWriter err, boolean enabled, String message) {
    Progress p = new Progress(err, enabled, message);
    p.tick();
    return p;
  }

  /** Like {@link #start}, and ticks by itself every {@code interval} on a daemon thread until closed. */
  public static Progress startAuto(PrintWriter err, boolean enabled, String message, Duration interval) {
    Progress p = start(err, enabled, message);
    if (enabled) {
      p.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "progress");
        t.setDaemon(true);
        return t;
      });
      long ms = Math.max(1, interval.toMillis());
      p.ticker.scheduleAtFixedRate(p::tick, ms, ms, TimeUnit.MILLISECONDS);
    }
    return p;
  }

  /** Draws the next frame over the previous one. */
  public synchronized void tick() {
    if (!enabled || closed) {
      return;
    }
    err.print(ERASE_LINE + " " + GLYPHS[frame++ % GLYPHS.length] + " " + message + " ..\r");
    err.flush();
  }

  /** Prints a whole line on the spinner's stream, first erasing the spinner's frame so no glyph is left behind it. */
  public synchronized void println(String line) {
    if (enabled && !closed) {
      err.print(ERASE_LINE);
    }
    err.println(line);
    err.flush();
  }

  /** Stops ticking and erases the line, so whatever is printed next starts on a clean line. Idempotent. */
  @Override
  public void close() {
    ScheduledExecutorService t;
    synchronized (this) {
      if (!enabled || closed) {
        return;
      }
      closed = true;
      t = ticker;
    }
    if (t != null) {
      t.shutdownNow();
    }
    synchronized (this) {
      err.print(ERASE_LINE);
      err.flush();
    }
  }
}
