package io.daprx.manager.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import org.flywaydb.core.Flyway;

/**
 * The store on SQLite (embedded default, one file) or PostgreSQL, through plain JDBC and the same Flyway
 * migrations. One connection, used under this object's lock: the management server is one process and
 * its writes are small, so serialising them is simpler and safer than a pool (SQLite allows one writer
 * anyway).
 */
public final class JdbcStore implements Store {

  private final String url;
  private final String user;
  private final String password;
  private final Clock clock;
  private final ObjectMapper json = new ObjectMapper();
  private Connection connection;
  private int transactionDepth;

  private JdbcStore(String url, String user, String password, Clock clock) {
    this.url = url;
    this.user = user;
    this.password = password;
    this.clock = clock;
  }

  /** Opens (and migrates) the store at a JDBC URL: {@code jdbc:sqlite:FILE} or {@code jdbc:postgresql://...}. */
  public static JdbcStore open(String url, String user, String password, Clock clock) {
    if (!url.startsWith("jdbc:sqlite:") && !url.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException("unsupported store URL '" + redact(url) + "': use jdbc:sqlite:FILE or jdbc:postgresql://HOST/DB");
    }
    if (url.startsWith("jdbc:sqlite:")) {
      checkIntegrity(url);
    }
    Flyway.configure()
        .dataSource(url, user, password)
        .locations("classpath:db/migration")
        .load()
        .migrate();
    JdbcStore s = new JdbcStore(url, user, password, clock);
    s.connection();
    return s;
  }

  /** A damaged SQLite file is found at start, not by whichever request first reads a damaged page. */
  private static void checkIntegrity(String url) {
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("PRAGMA quick_check")) {
      String verdict = rs.next() ? rs.getString(1) : "ok";
      if (!"ok".equals(verdict)) {
        throw new StoreException(StoreException.Reason.UNAVAILABLE, "the SQLite file is damaged: " + verdict);
      }
    } catch (SQLException e) {
      throw new StoreException(StoreException.Reason.UNAVAILABLE, "cannot open the store at " + redact(url) + ": " + e.getMessage(), e);
    }
  }

  private synchronized Connection connection() {
    try {
      if (connection == null || connection.isClosed() || !connection.isValid(2)) {
        connection = DriverManager.getConnection(url, user, password);
        if (url.startsWith("jdbc:sqlite:")) {
          try (Statement st = connection.createStatement()) {
            // WAL survives a kill -9 mid-write without a torn database; busy_timeout covers a second reader (the CLI's tests)
            st.execute("PRAGMA journal_mode=WAL");
            st.execute("PRAGMA busy_timeout=5000");
            st.execute("PRAGMA synchronous=NORMAL");
          }
        }
      }
      return connection;
    } catch (SQLException e) {
      throw new StoreException(StoreException.Reason.UNAVAILABLE, "cannot open the store at " + redact(url) + ": " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized Optional<Doc> get(String id) {
    try (PreparedStatement ps = connection().prepareStatement(
        "SELECT id, kind, parent_id, body, etag, created_at, modified_at FROM resources WHERE id = ?")) {
      ps.setString(1, key(id));
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(doc(rs)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw unavailable(e);
    }
  }

  @Override
  public synchronized List<Doc> list(String kind, String parentId) {
    String sql = "SELECT id, kind, parent_id, body, etag, created_at, modified_at FROM resources WHERE kind = ?"
        + (parentId == null ? "" : " AND parent_id = ?") + " ORDER BY id";
    try (PreparedStatement ps = connection().prepareStatement(sql)) {
      ps.setString(1, kind);
      if (parentId != null) {
        ps.setString(2, key(parentId));
      }
      List<Doc> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(doc(rs));
        }
      }
      return out;
    } catch (SQLException e) {
      throw unavailable(e);
    }
  }

  @Override
  public synchronized Doc create(String id, String kind, String parentId, ObjectNode body) {
    if (get(id).isPresent()) {
      throw new StoreException(StoreException.Reason.CONFLICT, "resource " + id + " already exists");
    }
    long now = clock.millis();
    String etag = newEtag();
    try (PreparedStatement ps = connection().prepareStatement(
        "INSERT INTO resources (id, kind, parent_id, body, etag, created_at, modified_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, key(id));
      ps.setString(2, kind);
      ps.setString(3, parentId == null ? null : key(parentId));
      ps.setString(4, write(body));
      ps.setString(5, etag);
      ps.setLong(6, now);
      ps.setLong(7, now);
      ps.executeUpdate();
    } catch (SQLException e) {
      if (get(id).isPresent()) {
        throw new StoreException(StoreException.Reason.CONFLICT, "resource " + id + " already exists");
      }
      throw unavailable(e);
    }
    return new Doc(key(id), kind, parentId == null ? null : key(parentId), body.deepCopy(), etag, Instant.ofEpochMilli(now), Instant.ofEpochMilli(now));
  }

  @Override
  public synchronized Doc update(String id, ObjectNode body, String ifMatch) {
    Doc current = get(id).orElseThrow(() -> notFound(id));
    checkEtag(current, ifMatch);
    long now = clock.millis();
    String etag = newEtag();
    try (PreparedStatement ps = connection().prepareStatement(
        "UPDATE resources SET body = ?, etag = ?, modified_at = ? WHERE id = ? AND etag = ?")) {
      ps.setString(1, write(body));
      ps.setString(2, etag);
      ps.setLong(3, now);
      ps.setString(4, key(id));
      ps.setString(5, current.etag());
      if (ps.executeUpdate() != 1) {
        throw new StoreException(StoreException.Reason.PRECONDITION_FAILED, "resource " + id + " was changed concurrently; retry");
      }
    } catch (SQLException e) {
      throw unavailable(e);
    }
    return new Doc(current.id(), current.kind(), current.parentId(), body.deepCopy(), etag, current.createdAt(), Instant.ofEpochMilli(now));
  }

  @Override
  public synchronized void delete(String id, String ifMatch) {
    Doc current = get(id).orElseThrow(() -> notFound(id));
    checkEtag(current, ifMatch);
    try (PreparedStatement ps = connection().prepareStatement("DELETE FROM resources WHERE id = ? AND etag = ?")) {
      ps.setString(1, key(id));
      ps.setString(2, current.etag());
      if (ps.executeUpdate() != 1) {
        throw new StoreException(StoreException.Reason.PRECONDITION_FAILED, "resource " + id + " was changed concurrently; retry");
      }
    } catch (SQLException e) {
      throw unavailable(e);
    }
  }

  private static void checkEtag(Doc current, String ifMatch) {
    if (ifMatch != null && !ifMatch.equals("*") && !ifMatch.equals(current.etag())) {
      throw new StoreException(StoreException.Reason.PRECONDITION_FAILED,
          "resource " + current.id() + " was changed by someone else (ETag " + ifMatch + " is not current); read it again and retry");
    }
  }

  @Override
  public synchronized Optional<String> setting(String name) {
    try (PreparedStatement ps = connection().prepareStatement("SELECT value FROM server_settings WHERE name = ?")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw unavailable(e);
    }
  }

  @Override
  public synchronized String settingIfAbsent(String name, String value) {
    Optional<String> existing = setting(name);
    if (existing.isPresent()) {
      return existing.get();
    }
    try (PreparedStatement ps = connection().prepareStatement("INSERT INTO server_settings (name, value) VALUES (?, ?)")) {
      ps.setString(1, name);
      ps.setString(2, value);
      ps.executeUpdate();
      return value;
    } catch (SQLException e) {
      return setting(name).orElseThrow(() -> unavailable(e));
    }
  }

  @Override
  public synchronized <T> T inTransaction(Function<Store, T> body) {
    Connection c = connection();
    boolean outer = transactionDepth == 0;
    try {
      if (outer) {
        c.setAutoCommit(false);
      }
      transactionDepth++;
      T result = body.apply(this);
      transactionDepth--;
      if (outer) {
        c.commit();
        c.setAutoCommit(true);
      }
      return result;
    } catch (RuntimeException e) {
      transactionDepth--;
      if (outer) {
        rollback(c);
      }
      throw e;
    } catch (SQLException e) {
      transactionDepth--;
      if (outer) {
        rollback(c);
      }
      throw unavailable(e);
    }
  }

  private static void rollback(Connection c) {
    try {
      c.rollback();
      c.setAutoCommit(true);
    } catch (SQLException ignored) {
      // the connection is broken; the next call reopens it and nothing of this transaction was committed
    }
  }

  @Override
  public synchronized void close() {
    try {
      if (connection != null) {
        connection.close();
      }
    } catch (SQLException ignored) {
      // closing: nothing left to protect
    }
  }

  private Doc doc(ResultSet rs) throws SQLException {
    try {
      return new Doc(rs.getString(1), rs.getString(2), rs.getString(3), (ObjectNode) json.readTree(rs.getString(4)), rs.getString(5),
          Instant.ofEpochMilli(rs.getLong(6)), Instant.ofEpochMilli(rs.getLong(7)));
    } catch (JsonProcessingException e) {
      throw new StoreException(StoreException.Reason.UNAVAILABLE, "stored resource " + rs.getString(1) + " is not valid JSON", e);
    }
  }

  private String write(ObjectNode body) {
    try {
      return json.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String key(String id) {
    return id.toLowerCase(Locale.ROOT);
  }

  private static String newEtag() {
    return UUID.randomUUID().toString();
  }

  private static StoreException notFound(String id) {
    return new StoreException(StoreException.Reason.NOT_FOUND, "resource " + id + " not found");
  }

  private StoreException unavailable(SQLException e) {
    return new StoreException(StoreException.Reason.UNAVAILABLE, "store error: " + e.getMessage(), e);
  }

  /** JDBC URLs may carry a password parameter: never print it. */
  static String redact(String url) {
    return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
  }
}
