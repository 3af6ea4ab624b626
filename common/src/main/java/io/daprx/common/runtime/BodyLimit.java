package io.daprx.common.runtime;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Limits the bytes of a request body that a handler can read. A declared {@code Content-Length} over the limit is
 * refused before any handler runs; a chunked body declares none, so its bytes are counted as they are read and the
 * read that passes the limit throws {@link TooLarge} — the body is never buffered whole. Counting at the read keeps
 * authentication first: a client without a token never gets a body read.
 */
public final class BodyLimit implements Filter {

  private final long maxBytes;

  public BodyLimit(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  /** The body passed the limit; the message says by how much and what to do. */
  public static final class TooLarge extends IOException {
    public TooLarge(long maxBytes) {
      super("the request body is over the limit of " + maxBytes + " bytes; send a smaller document", null);
    }
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
    HttpServletRequest req = (HttpServletRequest) request;
    if (req.getContentLengthLong() > maxBytes) {
      HttpServletResponse resp = (HttpServletResponse) response;
      byte[] b = (new TooLarge(maxBytes).getMessage() + "\n").getBytes(StandardCharsets.UTF_8);
      resp.setStatus(413);
      resp.setHeader("Connection", "close"); // the body is not read: the connection cannot carry another request
      resp.setContentType("text/plain; charset=utf-8");
      resp.setContentLength(b.length);
      resp.getOutputStream().write(b);
      return;
    }
    chain.doFilter(new Limited(req, maxBytes), response);
  }

  private static final class Limited extends HttpServletRequestWrapper {
    private final long maxBytes;
    private ServletInputStream stream;

    Limited(HttpServletRequest req, long maxBytes) {
      super(req);
      this.maxBytes = maxBytes;
    }

    @Override
    public ServletInputStream getInputStream() throws IOException {
      if (stream == null) {
        stream = new Counting(super.getInputStream(), maxBytes);
      }
      return stream;
    }
  }

  private static final class Counting extends ServletInputStream {
    private final ServletInputStream in;
    private final long maxBytes;
    private long read;

    Counting(ServletInputStream in, long maxBytes) {
      this.in = in;
      this.maxBytes = maxBytes;
    }

    private int count(int n) throws TooLarge {
      if (n > 0) {
        read += n;
        if (read > maxBytes) {
          throw new TooLarge(maxBytes);
        }
      }
      return n;
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) {
        count(1);
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return count(in.read(b, off, len));
    }

    @Override
    public boolean isFinished() {
      return in.isFinished();
    }

    @Override
    public boolean isReady() {
      return in.isReady();
    }

    @Override
    public void setReadListener(ReadListener listener) {
      in.setReadListener(listener);
    }

    @Override
    public int available() throws IOException {
      return in.available();
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
