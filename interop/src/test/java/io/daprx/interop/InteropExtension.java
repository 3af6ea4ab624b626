package io.daprx.interop;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * Starts the shared {@link Interop} fixture once per run (in the root context's store, which closes it after the last
 * scenario class), hands it to {@code @BeforeAll}/test parameters, and on any failure prints the logs that explain it.
 */
final class InteropExtension implements BeforeAllCallback, ParameterResolver, TestExecutionExceptionHandler,
    LifecycleMethodExecutionExceptionHandler {

  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(InteropExtension.class);

  /** The fixture, or why it could not start (remembered, so the next classes fail at once instead of trying again). */
  private record Started(Interop interop, RuntimeException failure) implements AutoCloseable {
    Interop get() {
      if (failure != null) {
        throw new IllegalStateException("the interop fixture did not start: " + failure.getMessage(), failure);
      }
      return interop;
    }

    @Override
    public void close() {
      if (interop != null) {
        interop.close();
      }
    }
  }

  private static Interop interop(ExtensionContext context) {
    return context.getRoot().getStore(NS).getOrComputeIfAbsent(Started.class, k -> {
      try {
        return new Started(Interop.start(), null);
      } catch (RuntimeException e) {
        return new Started(null, e);
      }
    }, Started.class).get();
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    interop(context);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == Interop.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return interop(context);
  }

  @Override
  public void handleTestExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
    explain(context, throwable);
    throw throwable;
  }

  @Override
  public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
    explain(context, throwable);
    throw throwable;
  }

  @Override
  public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
    explain(context, throwable);
    throw throwable;
  }

  @Override
  public void handleAfterAllMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
    explain(context, throwable);
    throw throwable;
  }

  private static void explain(ExtensionContext context, Throwable throwable) {
    if (throwable instanceof org.opentest4j.TestAbortedException) {
      return; // a skipped case says why itself; there is no failure to explain
    }
    Started s = context.getRoot().getStore(NS).get(Started.class, Started.class);
    if (s != null && s.interop() != null) {
      s.interop().explain(context.getDisplayName(), throwable);
    }
  }
}
