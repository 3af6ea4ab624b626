package io.daprx.common.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What a command logs before it configures logging itself, with no logback.xml in the jar. */
class DefaultLoggingTest {

  @Test
  void withoutAConfigurationFileOnlyWarningsShowOnStandardErrorAsLevelAndMessage() {
    LoggerContext ctx = new LoggerContext();
    // a loader that finds no logback.xml, as the daprx jar has none
    try (URLClassLoader none = new URLClassLoader(new URL[0], null)) {
      assertThat(new DefaultLogging(none).configure(ctx)).isEqualTo(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
    assertThat(root.getLevel()).isEqualTo(Level.WARN);
    assertThat(ctx.getLogger("io.daprx.cli").isInfoEnabled()).isFalse();
    @SuppressWarnings("unchecked")
    ConsoleAppender<ILoggingEvent> stderr = (ConsoleAppender<ILoggingEvent>) root.getAppender("stderr");
    assertThat(stderr.getTarget()).isEqualTo("System.err");
    LoggingEvent event = new LoggingEvent(Logger.class.getName(), root, Level.WARN, "the server is not running", null, null);
    assertThat(new String(stderr.getEncoder().encode(event), StandardCharsets.UTF_8))
        .isEqualTo("WARN  the server is not running" + System.lineSeparator());
  }

  @Test
  void aConfigurationFileOnTheClassPathIsLeftToLogbacksOwnConfigurators() {
    // the test class path has a logback-test.xml, as a user's would if they put one there
    assertThat(new DefaultLogging().configure(new LoggerContext())).isEqualTo(ExecutionStatus.NEUTRAL);
  }
}
