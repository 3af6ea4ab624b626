package io.daprx.manager.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/** What every store must do, run against SQLite and PostgreSQL by the subclasses. */
abstract class StoreContract {

  private final ObjectMapper json = new ObjectMapper();

  abstract Store store();

  private ObjectNode body(String name) {
    return json.createObjectNode().put("name", name);
  }

  @Test
  void createdResourcesAreFoundCaseInsensitivelyAndListedUnderTheirParent() {
    store().create("/subscriptions/s/resourceGroups/RG1", "resourceGroup", "/subscriptions/s", body("RG1"));
    store().create("/subscriptions/s/resourceGroups/rg2", "resourceGroup", "/subscriptions/s", body("rg2"));
    assertThat(store().get("/SUBSCRIPTIONS/s/resourcegroups/rg1")).get().extracting(d -> d.body().get("name").asText()).isEqualTo("RG1");
    assertThat(store().list("resourceGroup", "/subscriptions/S")).hasSize(2);
    assertThat(store().list("cluster", "/subscriptions/s")).isEmpty();
  }

  @Test
  void duplicateCreateIsAConflictAndChangesNothing() {
    Doc first = store().create("/x/a", "k", null, body("first"));
    assertThatThrownBy(() -> store().create("/X/A", "k", null, body("second")))
        .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.reason()).isEqualTo(StoreException.Reason.CONFLICT));
    assertThat(store().get("/x/a").orElseThrow().body()).isEqualTo(first.body());
  }

  @Test
  void updatesWithAStaleEtagAreRefused() {
    Doc created = store().create("/x/b", "k", null, body("v1"));
    Doc updated = store().update("/x/b", body("v2"), created.etag());
    assertThat(updated.etag()).isNotEqualTo(created.etag());
    assertThatThrownBy(() -> store().update("/x/b", body("v3"), created.etag()))
        .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.reason()).isEqualTo(StoreException.Reason.PRECONDITION_FAILED));
    assertThat(store().get("/x/b").orElseThrow().body().get("name").asText()).isEqualTo("v2");
    assertThatThrownBy(() -> store().delete("/x/b", created.etag())).isInstanceOf(StoreException.class);
    store().delete("/x/b", updated.etag());
    assertThat(store().get("/x/b")).isEmpty();
  }

  @Test
  void aFailedTransactionWritesNothing() {
    assertThatThrownBy(() -> store().inTransaction(s -> {
      s.create("/x/t1", "k", null, body("t1"));
      s.create("/x/t1", "k", null, body("again")); // conflict: the whole transaction rolls back
      return null;
    })).isInstanceOf(StoreException.class);
    assertThat(store().get("/x/t1")).isEmpty();
    store().inTransaction(s -> s.create("/x/t2", "k", null, body("t2")));
    assertThat(store().get("/x/t2")).isPresent();
  }

  @Test
  void settingsKeepTheirFirstValue() {
    assertThat(store().settingIfAbsent("subscription", "a")).isEqualTo("a");
    assertThat(store().settingIfAbsent("subscription", "b")).isEqualTo("a");
    assertThat(store().setting("subscription")).contains("a");
    assertThat(store().setting("none")).isEmpty();
  }

  @Test
  void missingResourcesAreNotFound() {
    assertThatThrownBy(() -> store().update("/x/none", body("n"), null))
        .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.reason()).isEqualTo(StoreException.Reason.NOT_FOUND));
    assertThatThrownBy(() -> store().delete("/x/none", null))
        .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.reason()).isEqualTo(StoreException.Reason.NOT_FOUND));
  }
}
