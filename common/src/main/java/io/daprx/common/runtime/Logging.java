package io.daprx.common.runtime;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Configures logging of a component process from its {@code --log-level} and {@code --log-as-json} flags. */
public final class Logging {

  private Logging() {}

  /** Dapr's level names: debug, info, warn, error (and fatal, taken as error). */
  public static Level level(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "debug" -> Level.DEBUG;
      case "info" -> Level.INFO;
      case "warn", "warning" -> Level.WARN;
      case "error", "fatal" -> Level.ERROR;
      default -> throw new IllegalArgumentException("invalid log level '" + name + "': use debug, info, warn or error");
    };
  }

  public static void configure(String levelName, boolean json) {
    Level level = level(levelName);
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
      return;
    }
    ctx.reset();
    Encoder<ILoggingEvent> encoder;
    if (json) {
      JsonEncoder e = new JsonEncoder();
      e.setWithSequenceNumber(false);
      e.setWithNanoseconds(false);
      e.setWithContext(false);
      e.setWithMDC(true);
      e.setWithArguments(false);
      // log collectors want the finished sentence, not the "{}" template
      e.setWithMessage(false);
      e.setWithFormattedMessage(true);
      e.setContext(ctx);
      e.start();
      encoder = e;
    } else {
      PatternLayoutEncoder e = new PatternLayoutEncoder();
      e.setPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%logger{0}] %msg%n%ex{short}");
      e.setContext(ctx);
      e.start();
      encoder = e;
    }
    ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
    appender.setContext(ctx);
    appender.setName("console");
    appender.setTarget("System.err");
    appender.setEncoder(encoder);
    appender.start();
    ch.qos.logback.classic.Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(level);
    root.addAppender(appender);
    // Libraries narrate their start-up at info; only their warnings matter to an operator.
    Level libraries = level.isGreaterOrEqual(Level.WARN) ? level : Level.WARN;
    for (String noisy : new String[] {"io.grpc", "io.netty", "org.eclipse.jetty", "io.javalin", "io.fabric8", "org.apache.ratis"}) {
      ctx.getLogger(noisy).setLevel(libraries);
    }
    // Ratis' client logs every request it retries while a Raft group elects its leader (NotLeaderException,
    // LeaderNotReadyException) as an ERROR with a stack trace, though it retries them itself; a write that finally
    // fails reaches our code, which reports it.
    ctx.getLogger("org.apache.ratis.client.impl.OrderedAsync").setLevel(Level.OFF);
  }
}
