package io.daprx.common.placement;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.daprx.proto.placement.v1.StatePlacementTables;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Reads a placement replica's {@code GET /placement/state} (served on its healthz port with {@code --metadata-enabled}):
 * the leader answers with the StatePlacementTables JSON, a follower with 503. Used by {@code daprx placement lookup} and
 * the dashboard.
 */
public final class PlacementState {

  /** A replica that is reachable but not the leader: the caller asks the next one. */
  public static final class NotLeaderException extends IllegalStateException {
    NotLeaderException(String message) {
      super(message);
    }
  }

  private final HttpClient http;
  private final Duration timeout;

  public PlacementState(Duration timeout) {
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  /**
   * @param address {@code host:port} of the healthz server
   * @throws NotLeaderException when the replica is a follower
   * @throws IllegalStateException when it cannot be reached or answers something else, saying what
   */
  public StatePlacementTables fetch(String address) throws InterruptedException {
    URI uri = URI.create("http://" + address + "/placement/state");
    HttpResponse<String> resp;
    try {
      resp = http.send(HttpRequest.newBuilder(uri).timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
    } catch (ConnectException e) {
      throw new IllegalStateException("cannot reach placement at " + address + ": connection refused");
    } catch (IOException e) {
      throw new IllegalStateException("cannot reach placement at " + address + ": " + e.getMessage());
    }
    if (resp.statusCode() == 404) {
      throw new IllegalStateException("placement at " + address + " does not serve /placement/state: start it with --metadata-enabled");
    }
    if (resp.statusCode() == 503) {
      throw new NotLeaderException("placement at " + address + " is not the leader (" + resp.body().trim() + "): ask the leader");
    }
    if (resp.statusCode() != 200) {
      throw new IllegalStateException("placement at " + address + " answered HTTP " + resp.statusCode() + ": " + resp.body().trim());
    }
    return parse(address, resp.body());
  }

  /** The StatePlacementTables of a {@code /placement/state} body. */
  public static StatePlacementTables parse(String from, String json) {
    StatePlacementTables.Builder state = StatePlacementTables.newBuilder();
    try {
      JsonFormat.parser().ignoringUnknownFields().merge(json, state);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("placement at " + from + " sent a state that is not StatePlacementTables JSON: " + e.getMessage());
    }
    return state.build();
  }
}
