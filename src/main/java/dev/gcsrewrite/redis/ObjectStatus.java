package dev.gcsrewrite.redis;

import java.util.Map;
import java.util.SortedMap;

/**
 * What Redis holds about one object, for the status command.
 *
 * @param bucket the bucket
 * @param objectId the object name
 * @param latest the latest completed generation's hash (generation, completedAt, outputUri); empty
 *     if none is kept
 * @param generations each kept generation's record, by generation
 * @param lock the object's lock hash (the generation in flight, its owner, token and lease end; the
 *     token counter, the newest generation claimed); empty if none is kept
 */
public record ObjectStatus(
    String bucket,
    String objectId,
    Map<String, String> latest,
    SortedMap<Long, Map<String, String>> generations,
    Map<String, String> lock) {}
