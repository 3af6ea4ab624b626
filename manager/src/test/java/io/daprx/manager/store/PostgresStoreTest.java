package io.daprx.manager.store;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** The same contract on a real PostgreSQL server started for this class. */
class PostgresStoreTest extends StoreContract {

  private static PostgresServer server;
  private JdbcStore store;

  @BeforeAll
  static void startServer() throws Exception {
    assumeTrue(PostgresServer.findBin() != null, "PostgreSQL is not installed here");
    server = PostgresServer.start();
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @BeforeEach
  void open() throws Exception {
    try (Connection c = DriverManager.getConnection(server.jdbcUrl(), server.user(), null); Statement st = c.createStatement()) {
      st.execute("DROP SCHEMA public CASCADE");
      st.execute("CREATE SCHEMA public");
    }
    store = JdbcStore.open(server.jdbcUrl(), server.user(), null, Clock.systemUTC());
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Override
  Store store() {
    return store;
  }
}
