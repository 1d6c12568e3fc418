package dev.lattice.core.placement;


/**
 * How much each score term counts. Defaults: all three count equally. Each term is in [0, 1]; the total is their
 * weighted mean.
 *
 * @param capacity free capacity left after placing the service, relative to the roomiest candidate
 * @param locality how close the service's agreed callers and callees already are (same cluster 1, same zone 0.5,
 *                 same region 0.3, same provider 0.1)
 * @param cost     price of the cluster's capacity relative to the cheapest candidate (capacity already paid for,
 *                 a StaticPool's, costs nothing)
 */
public record Weights(double capacity, double locality, double cost) {
    public static final Weights DEFAULT = new Weights(1.0, 1.0, 1.0);

    public Weights {
        if (capacity < 0 || locality < 0 || cost < 0 || Double.isNaN(capacity + locality + cost)) {
            throw new IllegalArgumentException("weights must be zero or more");
        }
    }

    double total(double capacityScore, double localityScore, double costScore) {
        double sum = capacity + locality + cost;
        return sum == 0 ? 0 : (capacity * capacityScore + locality * localityScore + cost * costScore) / sum;
    }
}
