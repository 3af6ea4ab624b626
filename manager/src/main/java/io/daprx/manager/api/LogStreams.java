package io.daprx.manager.api;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
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
    if (follow && !following.tryAcquire()) {
      throw new ApiException(429, "TooManyLogStreams", "This server already follows " + max + " logs, the most it serves at once;"
          + " stop one (Ctrl-C a 'daprx logs --follow') or read the log without --follow.");
    }
    try {
      ctx.contentType("text/plain; charset=utf-8");
      // the servlet's own stream: Javalin's compressing wrapper drops flush(), so a follow would sit in its buffer
      long from = tailLines < 0 ? 0 : tailOffset(file, tailLines);
      copy(file, from, follow, ctx.res().getOutputStream(), follow ? clientGone(ctx) : () -> false);
    } catch (IOException e) {
      LOG.debug("log stream of {} ended: {}", file.getFileName(), e.getMessage());
    } finally {
      if (follow) {
        following.release();
      }
    }
  }

  static void copy(Path file, boolean follow, OutputStream out, BooleanSupplier clientGone) {
    copy(file, 0, follow, out, clientGone);
  }

  static void copy(Path file, long from, boolean follow, OutputStream out, BooleanSupplier clientGone) {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      raf.seek(from);
      byte[] buf = new byte[16 * 1024];
      while (true) {
        int n = raf.read(buf);
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
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      long end = raf.length();
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
