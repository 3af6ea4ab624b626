package io.daprx.manager.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.server.mock.crud.KubernetesCrudDispatcherException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.internal.MockDispatcher;
import io.fabric8.mockwebserver.internal.SimpleRequest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;

/**
 * The fabric8 CRUD API server ({@code @EnableKubernetesMockClient(crud = true)}), except that a JSON merge patch is
 * applied as RFC 7386 says and real API servers do. The mock merges with Jackson's {@code readerForUpdating}, which
 * appends to lists: a patched Deployment kept its old containers beside the new ones, so an upgraded image never left.
 */
public final class CrudApiServer {

  private CrudApiServer() {}

  /** A started server (https, like the annotation's default); {@code createClient()} talks to it, {@code destroy()} stops it. */
  public static KubernetesMockServer start() {
    Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
    KubernetesMockServer server = new KubernetesMockServer(new Context(Serialization.jsonMapper()), new MockWebServer(), expectations,
        new Mixed(expectations), true);
    server.init();
    return server;
  }

  /** As the mock's own mixed dispatcher: an expectation ({@code /version}, {@code expect()...}) first, else the CRUD store. */
  private static final class Mixed extends Dispatcher {
    private final Map<ServerRequest, Queue<ServerResponse>> expectations;
    private final MockDispatcher expected;
    private final KubernetesCrudDispatcher crud = new KubernetesCrudDispatcher(List.of()) {
      @Override
      public JsonNode merge(JsonNode current, String patch) throws KubernetesCrudDispatcherException {
        try {
          return mergePatch(current, Serialization.jsonMapper().readTree(patch));
        } catch (JsonProcessingException e) {
          throw new KubernetesCrudDispatcherException(e.getMessage(), 422);
        }
      }
    };

    Mixed(Map<ServerRequest, Queue<ServerResponse>> expectations) {
      this.expectations = expectations;
      this.expected = new MockDispatcher(expectations);
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      Queue<ServerResponse> q = expectations.get(new SimpleRequest(HttpMethod.valueOf(request.getMethod()), request.getPath()));
      return q != null && !q.isEmpty() ? expected.dispatch(request) : crud.dispatch(request);
    }
  }

  /** RFC 7386: objects merge member by member, null removes a member, anything else (a list too) replaces. */
  static JsonNode mergePatch(JsonNode target, JsonNode patch) {
    if (!patch.isObject()) {
      return patch;
    }
    ObjectNode result = target != null && target.isObject() ? ((ObjectNode) target).deepCopy() : JsonNodeFactory.instance.objectNode();
    patch.fields().forEachRemaining(e -> {
      if (e.getValue().isNull()) {
        result.remove(e.getKey());
      } else {
        result.set(e.getKey(), mergePatch(result.get(e.getKey()), e.getValue()));
      }
    });
    return result;
  }
}
