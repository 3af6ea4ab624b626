package io.daprx.dashboard.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class RedactionTest {

  static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void inlineValuesWithSecretNamesAreMaskedAndReferencesKept() throws Exception {
    JsonNode component = JSON.readTree("""
        {"apiVersion":"dapr.io/v1alpha1","kind":"Component",
         "metadata":{"name":"statestore","namespace":"default","managedFields":[{"manager":"kubectl"}],
           "annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\\"redisPassword\\":\\"hunter2\\"}","team":"cart"}},
         "spec":{"type":"state.redis","version":"v1","metadata":[
           {"name":"redisHost","value":"redis:6379"},
           {"name":"redisPassword","value":"hunter2"},
           {"name":"ConnectionString","value":"Server=x;Password=y"},
           {"name":"accessKey","value":12345},
           {"name":"authToken","secretKeyRef":{"name":"redis","key":"token"}}]}}
        """);
    JsonNode r = Redaction.redact(component);
    JsonNode md = r.path("spec").path("metadata");
    assertThat(md.path(0).path("value").asText()).isEqualTo("redis:6379");
    assertThat(md.path(1).path("value").asText()).isEqualTo(Redaction.MASK);
    assertThat(md.path(2).path("value").asText()).isEqualTo(Redaction.MASK);
    assertThat(md.path(3).path("value").asText()).isEqualTo(Redaction.MASK);
    assertThat(md.path(4).path("secretKeyRef").path("name").asText()).isEqualTo("redis");
    assertThat(md.path(4).path("secretKeyRef").path("key").asText()).isEqualTo("token");
    assertThat(r.path("metadata").has("managedFields")).isFalse();
    assertThat(r.path("metadata").path("annotations").path("team").asText()).isEqualTo("cart");
    assertThat(r.toString()).doesNotContain("hunter2").doesNotContain("Password=y").doesNotContain("12345");
    // the original is untouched
    assertThat(component.toString()).contains("hunter2");
  }

  @Test
  void namesAreMatchedWithoutRegardToCase() {
    assertThat(Redaction.looksSecret("PASSWORD")).isTrue();
    assertThat(Redaction.looksSecret("clientCredential")).isTrue();
    assertThat(Redaction.looksSecret("masterKey")).isTrue();
    assertThat(Redaction.looksSecret("redisHost")).isFalse();
    assertThat(Redaction.looksSecret(null)).isFalse();
  }

  @Test
  void everyInlineValueIsMaskedUnlessItsNameIsKnownHarmlessAndUrlsLoseTheirUserinfo() throws Exception {
    JsonNode component = JSON.readTree("""
        {"apiVersion":"dapr.io/v1alpha1","kind":"Component","metadata":{"name":"db","namespace":"default"},
         "spec":{"type":"state.postgresql","version":"v1","metadata":[
           {"name":"passphrase","value":"open sesame"},
           {"name":"pwd","value":"pa55"},
           {"name":"sasl","value":"PLAIN:alice:wonder"},
           {"name":"somethingNew","value":"unknown-so-masked"},
           {"name":"redisHost","value":"redis://alice:s3cr3t@redis:6379/0"},
           {"name":"url","value":"postgres://bob:hunter3@db:5432/app?sslmode=disable"},
           {"name":"tableName","value":"state"},
           {"name":"keyPrefix","value":"appid"}]}}
        """);
    JsonNode md = Redaction.redact(component).path("spec").path("metadata");
    assertThat(md.path(0).path("value").asText()).isEqualTo(Redaction.MASK);
    assertThat(md.path(1).path("value").asText()).isEqualTo(Redaction.MASK);
    assertThat(md.path(2).path("value").asText()).isEqualTo(Redaction.MASK);
    assertThat(md.path(3).path("value").asText()).isEqualTo(Redaction.MASK);
    assertThat(md.path(4).path("value").asText()).isEqualTo("redis://" + Redaction.MASK + "@redis:6379/0");
    assertThat(md.path(5).path("value").asText()).isEqualTo("postgres://" + Redaction.MASK + "@db:5432/app?sslmode=disable");
    assertThat(md.path(6).path("value").asText()).isEqualTo("state");
    assertThat(md.path(7).path("value").asText()).isEqualTo("appid");
    assertThat(md.toString()).doesNotContain("sesame", "pa55", "wonder", "unknown-so", "s3cr3t", "hunter3", "alice", "bob");
  }

  @Test
  void anHttpEndpointsBaseUrlAndHeadersKeepNoCredentials() throws Exception {
    JsonNode endpoint = JSON.readTree("""
        {"apiVersion":"dapr.io/v1alpha1","kind":"HTTPEndpoint","metadata":{"name":"ext"},
         "spec":{"baseUrl":"https://svc:tok3n@api.example.com/v1","headers":[{"name":"X-Api","value":"abc123"}]}}
        """);
    JsonNode r = Redaction.redact(endpoint);
    assertThat(r.path("spec").path("baseUrl").asText()).isEqualTo("https://" + Redaction.MASK + "@api.example.com/v1");
    assertThat(r.toString()).doesNotContain("tok3n", "abc123");
  }
}
