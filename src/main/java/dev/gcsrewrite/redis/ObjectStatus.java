package dev.gcsrewrite.redis;

import java.util.Map;
import java.util.SortedMap;

/**
 * What Redis holds about one object, for the status command.
 *
 * @param latest the latest completed generation's hash (generation, completedAt, outputUri), or
 *     empty
 * @param generations each kept generation's record, by generation
 * @param lock the object's lock hash (see {@link ClaimKeys#lock}), or empty
 */
public record ObjectStatus(
    String bucket,
    String objectId,
    Map<String, String> latest,
    SortedMap<Long, Map<String, String>> generations,
    Map<String, String> lock) {}
