package io.daprx.common.runtime;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import org.slf4j.Logger;

/**
 * Logging before a command configures its own ({@link Logging#configure}): warnings only, on standard error. Registered
 * as logback's {@link Configurator} service in the daprx jar instead of a {@code logback.xml}: reading a file would load
 * logback's XML configurator and the JDK's XML parser, ~400 classes, in every process, for three settings.
 *
 * <p>A configuration file still wins: with {@code -Dlogback.configurationFile} or a {@code logback-test.xml} /
 * {@code logback.xml} on the class path, logback's own configurators read it.
 */
public final class DefaultLogging extends ContextAwareBase implements Configurator {

  private final ClassLoader loader;

  /** As logback's service loader makes it: configuration files are looked for on this class's loader. */
  public DefaultLogging() {
    this(DefaultLogging.class.getClassLoader());
  }

  DefaultLogging(ClassLoader loader) {
    this.loader = loader;
  }

  @Override
  public ExecutionStatus configure(LoggerContext ctx) {
    if (System.getProperty("logback.configurationFile") != null || loader.getResource("logback-test.xml") != null
        || loader.getResource("logback.xml") != null) {
      return ExecutionStatus.NEUTRAL;
    }
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setPattern("%-5level %msg%n");
    encoder.setContext(ctx);
    encoder.start();
    ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
    stderr.setContext(ctx);
    stderr.setName("stderr");
    stderr.setTarget("System.err");
    stderr.setEncoder(encoder);
    stderr.start();
    ch.qos.logback.classic.Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.WARN);
    root.addAppender(stderr);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }
}
