package io.daprx.manager.api;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Semaphore;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.BufferUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pods' logs over HTTP, {@code tail -f} style with {@code follow}. A follow holds one of the server's threads for as
 * long as it lasts, so the server serves a bounded number at once (429 past it) and ends each as soon as its client
 * goes. Jetty learns that a client went only when it writes to it, and a quiet pod writes nothing; so while nothing
 * is written the stream looks at the connection itself on every tick.
 */
final class LogStreams {

  private static final Logger LOG = LoggerFactory.getLogger(LogStreams.class);
  /** A quarter of the API's threads: the rest keep answering while every follow is taken. */
  static final int DEFAULT_MAX_FOLLOWING = 8;
  private static final long TICK_MILLIS = 250; // look for new output four times a second

  private final int max;
  private final Semaphore following;

  LogStreams(int max) {
    this.max = max;
    this.following = new Semaphore(max);
  }

  /** How many follows are open now. */
  int following() {
    return max - following.availablePermits();
  }

  /** Copies {@code file} to the response; with {@code follow} keeps copying what the pod logs until the client goes. */
  void serve(Context ctx, Path file, boolean follow) {
    serve(ctx, file, follow, -1);
  }

  /** As {@link #serve(Context, Path, boolean)}, from the start of the last {@code tailLines} lines (all with a negative). */
  void serve(Context ctx, Path file, boolean follow, long tailLines) {
    serve(ctx, file, follow, tailLines, null, false);
  }

  /**
   * As kubectl logs reads a container's log: the last {@code tailLines} lines (all with a negative) of those logged at or
   * after {@code since} (null: all), of the current run, or with {@code previous} of the run before the last restart
   * (the supervisor marks each restart in the log with a line of its own).
   */
  void serve(Context ctx, Path file, boolean follow, long tailLines, java.time.Instant since, boolean previous) {
    long[] window;
    try {
      window = window(file, tailLines, since, previous);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot read the log " + file.getFileName() + ": " + e.getMessage(), e);
    }
    if (window == null) {
      throw ApiException.badRequest("BadRequest", "previous terminated container of pod " + file.getFileName().toString()
          .replaceFirst("\\.log$", "") + " not found: it has not restarted");
    }
    serve(ctx, file, follow && !previous, window[0], window[1]);
  }

  /** The byte range [from, to) to send, to -1 meaning the end and on; null when {@code previous} and no restart is marked. */
  static long[] window(Path file, long tailLines, java.time.Instant since, boolean previous) throws IOException {
    long from = 0;
    long to = -1;
    if (previous) {
      long[] runs = lastTwoMarkers(file);
      if (runs[1] < 0) {
        return null;
      }
      from = runs[0] < 0 ? 0 : runs[0];
      to = runs[1];
    }
    if (since != null) {
      from = Math.max(from, sinceOffset(file, since, from));
    }
    if (tailLines >= 0) {
      from = Math.max(from, tailOffset(file, tailLines, to < 0 ? Files.size(file) : to));
    }
    return new long[] {from, to};
  }

  private void serve(Context ctx, Path file, boolean follow, long from, long to) {
    if (follow && !following.tryAcquire()) {
      throw new ApiException(429, "TooManyLogStreams", "This server already follows " + max + " logs, the most it serves at once;"
          + " stop one (Ctrl-C a 'daprx logs --follow') or read the log without --follow.");
    }
    try {
      ctx.contentType("text/plain; charset=utf-8");
      // the servlet's own stream: Javalin's compressing wrapper drops flush(), so a follow would sit in its buffer
      copy(file, from, to, follow, ctx.res().getOutputStream(), follow ? clientGone(ctx) : () -> false);
    } catch (IOException e) {
      LOG.debug("log stream of {} ended: {}", file.getFileName(), e.getMessage());
    } finally {
      if (follow) {
        following.release();
      }
    }
  }

  static void copy(Path file, boolean follow, OutputStream out, BooleanSupplier clientGone) {
    copy(file, 0, -1, follow, out, clientGone);
  }

  static void copy(Path file, long from, long to, boolean follow, OutputStream out, BooleanSupplier clientGone) {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      raf.seek(from);
      byte[] buf = new byte[16 * 1024];
      while (true) {
        int max = to < 0 ? buf.length : (int) Math.min(buf.length, to - raf.getFilePointer());
        int n = max <= 0 ? -1 : raf.read(buf, 0, max);
        if (n < 0 && to >= 0) {
          out.flush();
          return;
        }
        if (n > 0) {
          out.write(buf, 0, n); // a client that went makes this fail; one that stopped reading, the server's write deadline
          continue;
        }
        out.flush();
        if (!follow || clientGone.getAsBoolean()) {
          return;
        }
        try {
          Thread.sleep(TICK_MILLIS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    } catch (IOException e) {
      LOG.debug("log stream of {} ended: {}", file.getFileName(), e.getMessage()); // the reader went away
    }
  }

  /**
   * Where the last {@code lines} lines of {@code file} start, read backwards a block at a time (a log may be large, the
   * tail is small). A last line without its newline yet counts as a line.
   */
  static long tailOffset(Path file, long lines) throws IOException {
    return tailOffset(file, lines, Files.size(file));
  }

  /** As {@link #tailOffset(Path, long)}, for the part of the file before {@code end}. */
  static long tailOffset(Path file, long lines, long end) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      if (lines == 0) {
        return end;
      }
      byte[] buf = new byte[8192];
      long pos = end;
      long newlines = 0;
      boolean last = true; // the byte at end-1: a final newline ends the last line, it does not start one
      while (pos > 0) {
        int n = (int) Math.min(buf.length, pos);
        pos -= n;
        raf.seek(pos);
        raf.readFully(buf, 0, n);
        for (int i = n - 1; i >= 0; i--) {
          if (buf[i] == '\n' && !(last && pos + i == end - 1)) {
            if (++newlines == lines) {
              return pos + i + 1;
            }
          }
        }
        last = false;
      }
      return 0;
    }
  }

  /** The supervisor's restart marker, a line of its own: {@code --- restarted (CAUSE) at INSTANT ---}. */
  static final String MARKER = "--- restarted (";

  /** Where the last two restart markers start (-1 for each that is not there); scanned forwards, a line at a time. */
  static long[] lastTwoMarkers(Path file) throws IOException {
    long[] found = {-1, -1};
    forEachLine(file, 0, (offset, line) -> {
      if (line.startsWith(MARKER)) {
        found[0] = found[1];
        found[1] = offset;
      }
      return true;
    });
    // the earlier run starts after its marker line
    if (found[0] >= 0) {
      found[0] = lineEnd(file, found[0]);
    }
    return found;
  }

  /**
   * Where the first line logged at or after {@code since} starts: components start each line with an ISO-8601 time;
   * lines without one (a stack trace's) belong to the line before. The end of the file when none is that recent.
   */
  static long sinceOffset(Path file, java.time.Instant since, long from) throws IOException {
    long[] at = {Files.size(file)};
    forEachLine(file, from, (offset, line) -> {
      int space = line.indexOf(' ');
      if (space > 0) {
        try {
          if (!java.time.OffsetDateTime.parse(line.substring(0, space)).toInstant().isBefore(since)) {
            at[0] = offset;
            return false;
          }
        } catch (java.time.format.DateTimeParseException notATime) {
          // a continuation line
        }
      }
      return true;
    });
    return at[0];
  }

  private interface LineVisitor {
    boolean visit(long offset, String line);
  }

  private static void forEachLine(Path file, long from, LineVisitor visitor) throws IOException {
    try (java.io.InputStream in = new java.io.BufferedInputStream(Files.newInputStream(file), 64 * 1024)) {
      in.skipNBytes(from);
      long offset = from;
      java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream(256);
      int b;
      long start = offset;
      while ((b = in.read()) >= 0) {
        offset++;
        if (b == '\n') {
          if (!visitor.visit(start, line.toString(java.nio.charset.StandardCharsets.UTF_8))) {
            return;
          }
          line.reset();
          start = offset;
        } else if (line.size() < 512) {
          line.write(b); // the start of a line is all any visitor reads
        }
      }
      if (line.size() > 0) {
        visitor.visit(start, line.toString(java.nio.charset.StandardCharsets.UTF_8));
      }
    }
  }

  private static long lineEnd(Path file, long start) throws IOException {
    long[] end = {Files.size(file)};
    boolean[] first = {true};
    forEachLine(file, start, (offset, line) -> {
      if (first[0]) {
        first[0] = false;
        return true;
      }
      end[0] = offset;
      return false;
    });
    return end[0];
  }

  /**
   * Whether the client closed its side. A GET's request is read whole before the handler runs and nothing else reads
   * the connection while it does, so a non-blocking read here sees end-of-stream (or an error) once the client went;
   * anything it sends instead is discarded, as the response closes the connection.
   */
  static BooleanSupplier clientGone(Context ctx) {
    Request base = Request.getBaseRequest(ctx.req());
    if (base == null) {
      return () -> false;
    }
    ctx.header("Connection", "close");
    EndPoint endPoint = base.getHttpChannel().getEndPoint();
    ByteBuffer scratch = BufferUtil.allocate(256);
    return () -> {
      if (!endPoint.isOpen() || endPoint.isInputShutdown()) {
        return true;
      }
      try {
        BufferUtil.clear(scratch);
        return endPoint.fill(scratch) < 0;
      } catch (IOException e) {
        return true;
      }
    };
  }
}
