package dev.gcsrewrite.statusservice;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An error answer in the shape Google APIs use, {@code {"error": {"code", "message", "status"}}},
 * so that a client's one error path reads ours too. The message is ours, never an exception's:
 * nothing from Redis or a stack reaches a caller.
 */
record ApiError(int code, String status, String message) {
  static ApiError badRequest(String message) {
    return new ApiError(400, "INVALID_ARGUMENT", message);
  }

  static ApiError notFound(String message) {
    return new ApiError(404, "NOT_FOUND", message);
  }

  static ApiError methodNotAllowed(String method) {
    // Google APIs answer a wrong method with 405 too; their status word for it is this one.
    return new ApiError(405, "METHOD_NOT_ALLOWED", "method " + method + " is not allowed; use GET");
  }

  static ApiError unavailable() {
    return new ApiError(503, "UNAVAILABLE", "the claim store (Redis) cannot be reached; try again");
  }

  static ApiError internal() {
    return new ApiError(500, "INTERNAL", "internal error");
  }

  ObjectNode json() {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    ObjectNode error = root.putObject("error");
    error.put("code", code);
    error.put("message", message);
    error.put("status", status);
    return root;
  }
}
