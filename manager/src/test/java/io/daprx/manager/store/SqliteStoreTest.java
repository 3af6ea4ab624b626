package io.daprx.manager.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteStoreTest extends StoreContract {

  @TempDir
  Path dir;

  private JdbcStore store;

  @BeforeEach
  void open() {
    store = JdbcStore.open("jdbc:sqlite:" + dir.resolve("daprx.db"), null, null, Clock.systemUTC());
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Override
  Store store() {
    return store;
  }

  @Test
  void dataSurvivesReopening() {
    store.create("/x/p", "k", null, new ObjectMapper().createObjectNode().put("v", 1));
    store.close();
    try (JdbcStore again = JdbcStore.open("jdbc:sqlite:" + dir.resolve("daprx.db"), null, null, Clock.systemUTC())) {
      assertThat(again.get("/x/p")).isPresent();
    }
  }

  @Test
  void unsupportedUrlsAreRefusedWithoutPrintingPasswords() {
    assertThatThrownBy(() -> JdbcStore.open("jdbc:mysql://h/db?password=hunter2", null, null, Clock.systemUTC()))
        .hasMessageContaining("jdbc:sqlite:FILE or jdbc:postgresql://HOST/DB").hasMessageNotContaining("hunter2");
  }
}
