package io.daprx.manager.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/** A stored resource: its JSON body and the bookkeeping the API needs (ETag, times). */
public record Doc(String id, String kind, String parentId, ObjectNode body, String etag, Instant createdAt, Instant modifiedAt) {}
