package dev.gcsrewrite.claim;

import java.io.Serializable;
import org.joda.time.Duration;

/**
 * The claim policy of one job.
 *
 * @param owner who claims: the job name, so that a bundle retried within the job finds its own
 *     claim, while another job (or a relaunch under a new name) waits for the lease to end
 * @param lease how long a claim holds without being settled; a dead worker's claim is free again
 *     after it
 * @param retention how long settled records (and the latest completed generation) are kept, which
 *     is how long duplicates are recognised across relaunches
 */
public record ClaimSettings(String owner, Duration lease, Duration retention)
    implements Serializable {}
